using Microsoft.Extensions.Options;

namespace Switchboard.Server.Events;

/// <summary>Receivers are absolute http or https URLs; tries, time-outs and queues are positive.</summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var errors = new List<string>();
        foreach (string url in options.Urls)
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) || parsed.Scheme is not ("http" or "https"))
                errors.Add($"Webhooks:Urls: '{url}' is not an absolute http or https URL");
        if (options.TimeoutSeconds < 1) errors.Add("Webhooks:TimeoutSeconds must be at least 1");
        if (options.MaxAttempts < 1) errors.Add("Webhooks:MaxAttempts must be at least 1");
        if (options.QueueLimit < 1) errors.Add("Webhooks:QueueLimit must be at least 1");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
