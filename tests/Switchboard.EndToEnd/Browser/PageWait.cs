using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Browser;

/// <summary>
/// Waiting for a condition in a page served with a Content Security Policy. Playwright's <c>WaitForFunctionAsync</c>
/// compiles its predicate with <c>new Function</c> inside the page, which a policy without <c>'unsafe-eval'</c> refuses
/// (EvalError); <c>EvaluateAsync</c> goes through the DevTools protocol (WebDriver BiDi in Firefox), which the policy
/// does not restrict.
/// </summary>
public static partial class PageWait
{
    /// <summary>
    /// Evaluates <paramref name="expression"/> (an expression, or a function to call) every 200 ms until it is truthy;
    /// throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (30 s by default).
    /// </summary>
    public static Task UntilAsync(this IPage page, string expression, TimeSpan? timeout = null) =>
        UntilAsync<PlaywrightException>(script => page.EvaluateAsync<bool>(script), expression, timeout);

    /// <summary>
    /// <see cref="UntilAsync(IPage, string, TimeSpan?)"/> in any browser: <paramref name="evaluate"/> runs a script in
    /// the page, and throws <typeparamref name="TPageError"/> while a navigation replaces the page or before it defines
    /// what the expression reads.
    /// </summary>
    public static async Task UntilAsync<TPageError>(Func<string, Task<bool>> evaluate, string expression, TimeSpan? timeout = null)
        where TPageError : Exception
    {
        var truthy = IsFunction(expression) ? $"(async () => !!(await ({expression})()))()" : $"!!({expression})";
        var wait = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                if (await evaluate(truthy)) return;
            }
            catch (TPageError) when (DateTime.UtcNow < deadline)
            {
                // a navigation replaced the page, or it has not yet defined what the expression reads
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {wait.TotalSeconds} s for {expression}");
            await Task.Delay(200);
        }
    }

    /// <summary>Whether <paramref name="script"/> is a function to call rather than an expression (an IIFE such as (() => ...)() is an expression).</summary>
    public static bool IsFunction(string script) => Function().IsMatch(script);

    [GeneratedRegex(@"^\s*(async\s+)?(function\b|(\([^()]*\)|\w+)\s*=>)")]
    private static partial Regex Function();
}
