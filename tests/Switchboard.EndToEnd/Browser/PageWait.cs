using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Switchboard.EndToEnd.Browser;

/// <summary>
/// Waiting for a condition in a page served with a Content Security Policy. Playwright's <c>WaitForFunctionAsync</c>
/// compiles its predicate with <c>new Function</c> inside the page, which a policy without <c>'unsafe-eval'</c> refuses
/// (EvalError); <c>EvaluateAsync</c> goes through the DevTools protocol, which the policy does not restrict.
/// </summary>
public static partial class PageWait
{
    /// <summary>
    /// Evaluates <paramref name="expression"/> (an expression, or a function to call) every 200 ms until it is truthy;
    /// throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (30 s by default).
    /// </summary>
    public static async Task UntilAsync(this IPage page, string expression, TimeSpan? timeout = null)
    {
        var truthy = Function().IsMatch(expression) ? $"(async () => !!(await ({expression})()))()" : $"!!({expression})";
        var wait = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                if (await page.EvaluateAsync<bool>(truthy)) return;
            }
            catch (PlaywrightException) when (DateTime.UtcNow < deadline)
            {
                // a navigation replaced the page, or it has not yet defined what the expression reads
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {wait.TotalSeconds} s for {expression}");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"^\s*(async\s+)?(function\b|(\([^()]*\)|\w+)\s*=>)")] // not an IIFE such as (() => ...)()
    private static partial Regex Function();
}
