using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Switchboard.Turn.Tests;

/// <summary>Writes log entries to the test's output, shown when a test fails.</summary>
internal sealed class TestOutputLogger(ITestOutputHelper output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}" +
                (exception is null ? "" : $" {exception}"));
        }
        catch (InvalidOperationException)
        {
            // The test has finished.
        }
    }
}
