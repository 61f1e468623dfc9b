using Microsoft.Playwright;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>
/// The web app's pages in Chromium: an access token in a room link leaves the address bar and history at once and goes
/// to nobody in a Referer; every page runs under its Content Security Policy without a violation, the policy is
/// enforced (an injected inline script does not run, another site cannot frame the app), and the responses carry the
/// headers that say so.
/// </summary>
public sealed class PageSecurityTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    /// <summary>Collects the page's Content Security Policy violations in <c>window.cspViolations</c>.</summary>
    private const string ViolationCollector = """
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`));
        """;

    [Fact]
    public async Task A_token_in_the_room_link_leaves_the_address_bar_and_history_at_once_and_goes_to_nobody()
    {
        await using var server = await SwitchboardProcess.StartAsync(role: "all"); // joining needs a token
        var token = await server.TokenCreateAsync("--room", "private", "--identity", "alice");
        await using var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var referers = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Headers.TryGetValue("referer", out var referer) && referer.Length > 0) referers.Add($"{request.Url} from {referer}");
        };

        await page.GotoAsync(new Uri(server.HttpBase, $"room/private?name=Alice&token={token}").ToString());
        await page.UntilAsync("window.switchboard?.room.connectionState === 'connected'");
        Assert.DoesNotContain("token", page.Url);
        Assert.EndsWith("/room/private?name=Alice", page.Url);
        Assert.Equal("Alice (you)", await page.TextContentAsync(".tile.local .name"));

        // Away to the start page and back: the history entry has no token, and the tab still joins (the token stayed in
        // its session storage, not in the address).
        await page.ClickAsync("a.brand");
        await page.WaitForURLAsync(server.HttpBase.ToString());
        await page.GoBackAsync();
        Assert.EndsWith("/room/private?name=Alice", page.Url);
        await page.UntilAsync("window.switchboard?.room.connectionState === 'connected'");

        Assert.True(referers.Count == 0, $"requests carried a Referer: {string.Join("\n", referers)}");
    }

    [Fact]
    public async Task The_pages_run_under_the_content_security_policy_without_a_violation_and_it_is_enforced()
    {
        var violations = new List<string>();
        void Collect(IPage page, string name) => page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add($"{name}: {message.Text}");
        };

        // A call between two people: the room page, the SDK, media and chat.
        await using var alice = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "policy", "Alice", initScript: ViolationCollector);
        await using var bob = await Participant.OpenAsync(app.Browser, app.Server.HttpBase, "policy", "Bob", initScript: ViolationCollector);
        Collect(alice.Page, "room");
        await alice.WaitForPlayingVideosAsync(1);
        await bob.Page.FillAsync("#chat-input", "hi");
        await bob.Page.PressAsync("#chat-input", "Enter");
        await alice.WaitUntilAsync("document.getElementById('chat-log').textContent.includes('hi')", "Bob's chat message");
        foreach (var person in new[] { alice, bob })
            Assert.Empty(await person.Page.EvaluateAsync<string[]>("window.cspViolations"));

        // The start page and the connection test, which talks to the media server through /api/echo.
        await using var context = await app.Browser.NewContextAsync();
        await context.AddInitScriptAsync(ViolationCollector);
        var page = await context.NewPageAsync();
        Collect(page, "pages");
        foreach (var path in new[] { "/", "/room/policy", "/test", "/live", "/watch", "/sdk/switchboard.js", "/app.css" })
        {
            var response = await page.APIRequest.GetAsync(new Uri(app.Server.HttpBase, path).ToString());
            var headers = response.Headers;
            Assert.True(headers.TryGetValue("content-security-policy", out var policy), $"{path} has no Content-Security-Policy");
            Assert.Contains("default-src 'self'", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
            Assert.DoesNotContain("unsafe-inline", policy);
            Assert.DoesNotContain("unsafe-eval", policy);
            Assert.Equal("no-referrer", headers.GetValueOrDefault("referrer-policy"));
            Assert.Equal("nosniff", headers.GetValueOrDefault("x-content-type-options"));
        }
        await page.GotoAsync(new Uri(app.Server.HttpBase, "/test?auto=1").ToString());
        await page.UntilAsync("() => window.connectionTest.state === 'passed'");
        Assert.Empty(await page.EvaluateAsync<string[]>("window.cspViolations"));
        await page.GotoAsync(app.Server.HttpBase.ToString());
        Assert.Empty(await page.EvaluateAsync<string[]>("window.cspViolations"));
        Assert.True(violations.Count == 0, string.Join("\n", violations));

        // Enforced: an inline script injected into the page does not run, and is reported.
        Assert.False(await page.EvaluateAsync<bool>("""
            () => {
              const script = document.createElement('script');
              script.textContent = 'window.injected = true';
              document.head.append(script);
              return window.injected === true;
            }
            """));
        await page.UntilAsync("window.cspViolations.some(v => v.startsWith('script-src'))");

        // Another site cannot frame the app.
        await page.GotoAsync("about:blank");
        await page.SetContentAsync($"<iframe src=\"{app.Server.HttpBase}\"></iframe>");
        var frame = page.Frames.Single(f => f != page.MainFrame);
        Assert.Null(await frame.QuerySelectorAsync("#start-form"));
    }
}
