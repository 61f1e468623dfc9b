using System.Net;
using Microsoft.Extensions.Options;

namespace Switchboard.Media;

/// <summary>Checks the "Media" section at start; each failure names its key.</summary>
public sealed class MediaOptionsValidator : IValidateOptions<MediaOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaOptions options)
    {
        var failures = new List<string>();
        if (options.UdpPort is < 0 or > 65535) failures.Add($"Media:UdpPort ({options.UdpPort}) is not a port (0-65535).");
        if (options.TcpPort is < -1 or > 65535) failures.Add($"Media:TcpPort ({options.TcpPort}) is not a port (0-65535, or -1 for no ICE-TCP).");
        if (!options.UdpEnabled && options.TcpPort < 0) failures.Add("Media:UdpEnabled is false and Media:TcpPort is -1: no peer could connect.");
        if (!IPAddress.TryParse(options.ListenAddress, out _)) failures.Add($"Media:ListenAddress ('{options.ListenAddress}') is not an IP address.");
        if (options.Sfu.MaxPublishersPerRoom < 1) failures.Add($"Media:Sfu:MaxPublishersPerRoom must be at least 1 (it is {options.Sfu.MaxPublishersPerRoom}).");
        if (options.Sfu.MaxSubscriptionsPerParticipant < 0) failures.Add($"Media:Sfu:MaxSubscriptionsPerParticipant must be 0 or more (it is {options.Sfu.MaxSubscriptionsPerParticipant}).");
        if (options.Sfu.DataMaxMessageSize is < 65536 or > 16 * 1024 * 1024) failures.Add($"Media:Sfu:DataMaxMessageSize must be from 65536 to 16777216 bytes (it is {options.Sfu.DataMaxMessageSize}).");
        if (options.Sfu.DataQueueBytes < options.Sfu.DataMaxMessageSize) failures.Add($"Media:Sfu:DataQueueBytes must be at least Media:Sfu:DataMaxMessageSize (it is {options.Sfu.DataQueueBytes}).");
        if (options.Sfu.DataStallTimeout <= TimeSpan.Zero) failures.Add($"Media:Sfu:DataStallTimeout must be positive (it is {options.Sfu.DataStallTimeout}).");
        if (options.Sfu.MaxBitratePerParticipant < 100_000) failures.Add($"Media:Sfu:MaxBitratePerParticipant must be at least 100000 bits/s (it is {options.Sfu.MaxBitratePerParticipant}).");
        for (int i = 0; i < options.AnnouncedAddresses.Count; i++)
        {
            if (!IPAddress.TryParse(options.AnnouncedAddresses[i], out IPAddress? address))
                failures.Add($"Media:AnnouncedAddresses:{i} ('{options.AnnouncedAddresses[i]}') is not an IP address.");
            else if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
                failures.Add($"Media:AnnouncedAddresses:{i} ({address}) is the any address: announce one peers can reach.");
        }
        Positive(options.ConsentTimeout, "ConsentTimeout");
        Positive(options.DtlsHandshakeTimeout, "DtlsHandshakeTimeout");
        Positive(options.Echo.MaxDuration, "Echo:MaxDuration");
        if (options.MaxPeers <= 0) failures.Add($"Media:MaxPeers must be greater than 0 (it is {options.MaxPeers}).");
        if (options.Echo.MaxSessions <= 0) failures.Add($"Media:Echo:MaxSessions must be greater than 0 (it is {options.Echo.MaxSessions}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero) failures.Add($"Media:{key} must be longer than zero (it is {value}).");
        }
    }
}
