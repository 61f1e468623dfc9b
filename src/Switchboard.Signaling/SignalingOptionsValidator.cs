using Microsoft.Extensions.Options;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling;

/// <summary>Checks the "Signaling" section at start; each failure names its key.</summary>
public sealed class SignalingOptionsValidator : IValidateOptions<SignalingOptions>
{
    public ValidateOptionsResult Validate(string? name, SignalingOptions options)
    {
        var failures = new List<string>();
        void Positive(int value, string key)
        {
            if (value <= 0) failures.Add($"Signaling:{key} must be greater than 0 (it is {value}).");
        }
        Positive(options.MaxMessageBytes, nameof(options.MaxMessageBytes));
        Positive(options.MessagesPerSecond, nameof(options.MessagesPerSecond));
        Positive(options.MessageBurst, nameof(options.MessageBurst));
        Positive(options.MaxConnections, nameof(options.MaxConnections));
        Positive(options.MaxConnectionsPerAddress, nameof(options.MaxConnectionsPerAddress));
        Positive(options.JoinTimeoutSeconds, nameof(options.JoinTimeoutSeconds));
        Positive(options.MaxRooms, nameof(options.MaxRooms));
        Positive(options.MaxParticipantsPerRoom, nameof(options.MaxParticipantsPerRoom));
        Positive(options.ResumeWindowSeconds, nameof(options.ResumeWindowSeconds));
        Positive(options.ResumeBufferMessages, nameof(options.ResumeBufferMessages));
        Positive(options.PingIntervalSeconds, nameof(options.PingIntervalSeconds));
        if (options.ResumeBufferBytes < options.MaxMessageBytes)
            failures.Add($"Signaling:ResumeBufferBytes ({options.ResumeBufferBytes}) must be at least Signaling:MaxMessageBytes ({options.MaxMessageBytes}), so that a message of the largest size can be kept.");
        if (options.ResumeBufferTotalBytes < options.ResumeBufferBytes)
            failures.Add($"Signaling:ResumeBufferTotalBytes ({options.ResumeBufferTotalBytes}) must be at least Signaling:ResumeBufferBytes ({options.ResumeBufferBytes}).");
        Positive(options.Ice.CredentialLifetimeSeconds, "Ice:CredentialLifetimeSeconds");
        if (!MediaModes.IsValid(options.DefaultMediaMode))
            failures.Add($"Signaling:DefaultMediaMode must be '{MediaModes.Sfu}' or '{MediaModes.P2p}' (it is '{options.DefaultMediaMode}').");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < options.ApiKeys.Length; i++)
        {
            var key = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Key)) failures.Add($"Signaling:ApiKeys:{i}:Key is empty.");
            else if (!keys.Add(key.Key)) failures.Add($"Signaling:ApiKeys:{i}:Key '{key.Key}' appears twice.");
            if (key.Secret.Length < ApiKey.MinimumSecretLength)
                failures.Add($"Signaling:ApiKeys:{i}:Secret must be at least {ApiKey.MinimumSecretLength} characters.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
