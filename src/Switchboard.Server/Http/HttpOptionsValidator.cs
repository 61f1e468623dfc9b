using Microsoft.Extensions.Options;

namespace Switchboard.Server.Http;

/// <summary>Checks the "Http" limits at start; each failure names its key.</summary>
public sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        var failures = new List<string>();
        if (options.RequestHeadersTimeoutSeconds <= 0)
            failures.Add($"Http:RequestHeadersTimeoutSeconds must be greater than 0 (it is {options.RequestHeadersTimeoutSeconds}).");
        if (options.MinRequestBodyBytesPerSecond <= 0)
            failures.Add($"Http:MinRequestBodyBytesPerSecond must be greater than 0 (it is {options.MinRequestBodyBytesPerSecond}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
