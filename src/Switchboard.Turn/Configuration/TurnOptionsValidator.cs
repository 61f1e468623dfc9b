using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Switchboard.Turn.Configuration;

/// <summary>Checks TurnOptions at start; every message names the configuration key at fault.</summary>
public sealed class TurnOptionsValidator : IValidateOptions<TurnOptions>
{
    public const int MinSendQueueBytes = 128 * 1024;

    public ValidateOptionsResult Validate(string? name, TurnOptions o)
    {
        if (!o.Enabled) return ValidateOptionsResult.Success;
        var errors = new List<string>();
        Port(o.Port, "Turn:Port");
        Port(o.TlsPort, "Turn:TlsPort");
        Port(o.MinPort, "Turn:MinPort");
        Port(o.MaxPort, "Turn:MaxPort");
        if (o.MinPort > o.MaxPort) errors.Add($"Turn:MinPort ({o.MinPort}) is above Turn:MaxPort ({o.MaxPort})");
        if (string.IsNullOrWhiteSpace(o.Realm)) errors.Add("Turn:Realm must not be empty");
        else ShortText(o.Realm, "Turn:Realm");   // RFC 8489 §14.9
        ShortText(o.Software, "Turn:Software");  // RFC 8489 §14.14
        for (int i = 0; i < o.Users.Length; i++)
        {
            int colon = o.Users[i]?.IndexOf(':') ?? -1;
            if (colon <= 0 || colon == o.Users[i].Length - 1) errors.Add($"Turn:Users[{i}] must be \"name:password\"");
        }
        for (int i = 0; i < o.StaticAuthSecrets.Length; i++)
            if (string.IsNullOrEmpty(o.StaticAuthSecrets[i])) errors.Add($"Turn:StaticAuthSecrets[{i}] must not be empty");
        if (!o.NoAuth && o.Users.Length == 0 && o.StaticAuthSecrets.Length == 0)
            errors.Add("Turn: no credentials configured. Set Turn:Users or Turn:StaticAuthSecrets; an open relay needs Turn:NoAuth=true");
        for (int i = 0; i < o.ListenAddresses.Length; i++) Address(o.ListenAddresses[i], $"Turn:ListenAddresses[{i}]");
        Address(o.RelayAddress, "Turn:RelayAddress");
        Address(o.RelayAddressV6, "Turn:RelayAddressV6");
        if (IPAddress.TryParse(o.RelayAddressV6, out var relayV6) && relayV6.AddressFamily != AddressFamily.InterNetworkV6)
            errors.Add($"Turn:RelayAddressV6 ('{o.RelayAddressV6}') must be an IPv6 address; an IPv4 relay address goes in Turn:RelayAddress");
        Address(o.ExternalAddress, "Turn:ExternalAddress");
        errors.AddRange(Policy.PeerPolicy.Validate(o));
        NotNegative(o.UserQuota, "Turn:UserQuota");
        NotNegative(o.TotalQuota, "Turn:TotalQuota");
        NotNegative(o.MaxBitsPerSecond, "Turn:MaxBitsPerSecond");
        NotNegative(o.UnauthenticatedRequestsPerSecond, "Turn:UnauthenticatedRequestsPerSecond");
        Positive(o.UnauthenticatedRequestBurst, "Turn:UnauthenticatedRequestBurst");
        Positive(o.MaxPermissionsPerAllocation, "Turn:MaxPermissionsPerAllocation");
        Positive(o.MaxChannelsPerAllocation, "Turn:MaxChannelsPerAllocation");
        Positive(o.MaxTcpConnectionsPerAllocation, "Turn:MaxTcpConnectionsPerAllocation");
        Positive(o.MaxConnectionsPerSource, "Turn:MaxConnectionsPerSource");
        // Room for two of the largest messages: a Data indication of 65,552 bytes (an IPv6 peer's 65,504).
        if (o.SendQueueBytes < MinSendQueueBytes) errors.Add($"Turn:SendQueueBytes ({o.SendQueueBytes}) must be at least {MinSendQueueBytes}");
        Positive(o.MessageTimeoutSeconds, "Turn:MessageTimeoutSeconds");
        Positive(o.AllocateWithinSeconds, "Turn:AllocateWithinSeconds");
        if (o.MaxLifetimeSeconds < 600) errors.Add($"Turn:MaxLifetimeSeconds ({o.MaxLifetimeSeconds}) must be at least 600, the default lifetime of RFC 8656");
        Positive(o.NonceLifetimeSeconds, "Turn:NonceLifetimeSeconds");
        NotNegative(o.DrainTimeoutSeconds, "Turn:DrainTimeoutSeconds");
        if (string.IsNullOrEmpty(o.CertificatePath) != string.IsNullOrEmpty(o.PrivateKeyPath))
            errors.Add("Turn:CertificatePath and Turn:PrivateKeyPath go together");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Port(int value, string key)
        {
            if (value is < 1 or > 65535) errors.Add($"{key} ({value}) is not a port: 1-65535");
        }
        void Address(string? value, string key)
        {
            if (!string.IsNullOrWhiteSpace(value) && !IPAddress.TryParse(value, out _)) errors.Add($"{key} ('{value}') is not an IP address");
        }
        void ShortText(string? value, string key)
        {
            // REALM and SOFTWARE are fewer than 128 characters; the response buffers are sized for that.
            if (value is not null && value.EnumerateRunes().Count() >= 128) errors.Add($"{key} must be fewer than 128 characters");
        }
        void NotNegative(long value, string key)
        {
            if (value < 0) errors.Add($"{key} ({value}) must not be negative");
        }
        void Positive(long value, string key)
        {
            if (value <= 0) errors.Add($"{key} ({value}) must be positive");
        }
    }
}
