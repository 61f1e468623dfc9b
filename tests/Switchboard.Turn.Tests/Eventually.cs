namespace Switchboard.Turn.Tests;

internal static class Eventually
{
    /// <summary>Polls until the condition holds; fails the test when it does not within the timeout.</summary>
    public static async Task True(Func<bool> condition, string what, int timeoutMillis = 5000)
    {
        long deadline = Environment.TickCount64 + timeoutMillis;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
                Assert.Fail($"Timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }
}
