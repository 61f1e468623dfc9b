using Switchboard.Turn.Configuration;

namespace Switchboard.Turn.Tests.Server;

/// <summary>TurnOptionsValidator: each bad value is reported with the configuration key that holds it.</summary>
public sealed class TurnOptionsValidatorTests
{
    private static TurnOptions Valid() => new()
    {
        Users = ["alice:secret"],
        StaticAuthSecrets = ["rest1"],
        RelayAddress = "127.0.0.1",
        RelayAddressV6 = "::1",
    };

    private static IReadOnlyList<string> Errors(Action<TurnOptions> change)
    {
        var options = Valid();
        change(options);
        var result = new TurnOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    private static void AssertError(Action<TurnOptions> change, string key)
    {
        var errors = Errors(change);
        Assert.True(errors.Count > 0, $"no error for {key}");
        Assert.Contains(errors, e => e.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void ValidOptions_Pass()
    {
        Assert.Empty(Errors(_ => { }));
        Assert.True(new TurnOptionsValidator().Validate(null, new TurnOptions { NoAuth = true }).Succeeded);
    }

    [Fact]
    public void DisabledServer_IsNotChecked()
    {
        Assert.True(new TurnOptionsValidator().Validate(null, new TurnOptions { Enabled = false, Port = -1 }).Succeeded);
    }

    [Theory]
    [InlineData(nameof(TurnOptions.Port), 0)]
    [InlineData(nameof(TurnOptions.Port), 65536)]
    [InlineData(nameof(TurnOptions.TlsPort), -1)]
    [InlineData(nameof(TurnOptions.MinPort), 0)]
    [InlineData(nameof(TurnOptions.MaxPort), 70000)]
    public void PortOutOfRange_IsNamed(string key, int value)
    {
        AssertError(o => typeof(TurnOptions).GetProperty(key)!.SetValue(o, value), $"Turn:{key}");
    }

    [Fact]
    public void MinPortAboveMaxPort_IsNamed()
    {
        var errors = Errors(o => { o.MinPort = 50001; o.MaxPort = 50000; });

        Assert.Contains(errors, e => e.Contains("Turn:MinPort") && e.Contains("Turn:MaxPort"));
    }

    [Fact]
    public void EmptyRealm_IsNamed() => AssertError(o => o.Realm = " ", "Turn:Realm");

    [Fact]
    public void OverlongRealm_IsNamed() => AssertError(o => o.Realm = new string('r', 128), "Turn:Realm"); // RFC 8489 §14.9: < 128 characters

    [Fact]
    public void OverlongSoftware_IsNamed() => AssertError(o => o.Software = new string('s', 128), "Turn:Software"); // RFC 8489 §14.14

    [Theory]
    [InlineData("alice")]
    [InlineData(":secret")]
    [InlineData("alice:")]
    [InlineData("")]
    public void UserWithoutNameColonPassword_IsNamedWithItsIndex(string entry)
    {
        AssertError(o => o.Users = ["bob:pw", entry], "Turn:Users[1]");
    }

    [Fact]
    public void EmptySecret_IsNamedWithItsIndex() => AssertError(o => o.StaticAuthSecrets = ["", "ok"], "Turn:StaticAuthSecrets[0]");

    [Fact]
    public void NoCredentialsWithoutNoAuth_IsNamed()
    {
        var errors = Errors(o => { o.Users = []; o.StaticAuthSecrets = []; });

        Assert.Contains(errors, e => e.Contains("Turn:Users") && e.Contains("Turn:StaticAuthSecrets") && e.Contains("Turn:NoAuth"));
        Assert.Empty(Errors(o => { o.Users = []; o.StaticAuthSecrets = []; o.NoAuth = true; }));
        Assert.Empty(Errors(o => o.Users = []));
        Assert.Empty(Errors(o => o.StaticAuthSecrets = []));
    }

    [Theory]
    [InlineData(nameof(TurnOptions.RelayAddress), "not-an-address")]
    [InlineData(nameof(TurnOptions.RelayAddress), "300.1.1.1")]
    [InlineData(nameof(TurnOptions.RelayAddressV6), "::g")]
    [InlineData(nameof(TurnOptions.ExternalAddress), "example.org")]
    public void BadAddress_IsNamed(string key, string value)
    {
        AssertError(o => typeof(TurnOptions).GetProperty(key)!.SetValue(o, value), $"Turn:{key}");
    }

    [Fact]
    public void BadListenAddress_IsNamedWithItsIndex() => AssertError(o => o.ListenAddresses = ["0.0.0.0", "nope"], "Turn:ListenAddresses[1]");

    [Fact]
    public void IPv4InRelayAddressV6_IsNamed() => AssertError(o => o.RelayAddressV6 = "10.0.0.1", "Turn:RelayAddressV6");

    [Theory]
    [InlineData(nameof(TurnOptions.UserQuota))]
    [InlineData(nameof(TurnOptions.TotalQuota))]
    [InlineData(nameof(TurnOptions.UnauthenticatedRequestsPerSecond))]
    [InlineData(nameof(TurnOptions.DrainTimeoutSeconds))]
    public void Negative_IsNamed(string key)
    {
        AssertError(o => typeof(TurnOptions).GetProperty(key)!.SetValue(o, -1), $"Turn:{key}");
    }

    [Fact]
    public void SendQueueSmallerThanTwoLargestMessages_IsNamed() => AssertError(o => o.SendQueueBytes = 65536, "Turn:SendQueueBytes (65536) must be at least 131072");

    [Fact]
    public void NegativeBitRate_IsNamed() => AssertError(o => o.MaxBitsPerSecond = -1, "Turn:MaxBitsPerSecond");

    [Theory]
    [InlineData(nameof(TurnOptions.UnauthenticatedRequestBurst))]
    [InlineData(nameof(TurnOptions.MaxPermissionsPerAllocation))]
    [InlineData(nameof(TurnOptions.MaxChannelsPerAllocation))]
    [InlineData(nameof(TurnOptions.NonceLifetimeSeconds))]
    [InlineData(nameof(TurnOptions.MaxConnectionsPerSource))]
    [InlineData(nameof(TurnOptions.MessageTimeoutSeconds))]
    [InlineData(nameof(TurnOptions.AllocateWithinSeconds))]
    public void NotPositive_IsNamed(string key)
    {
        AssertError(o => typeof(TurnOptions).GetProperty(key)!.SetValue(o, 0), $"Turn:{key}");
    }

    [Fact]
    public void MaxLifetimeBelowTheDefault_IsNamed() => AssertError(o => o.MaxLifetimeSeconds = 599, "Turn:MaxLifetimeSeconds");

    [Fact]
    public void CertificateWithoutKey_IsNamed()
    {
        AssertError(o => o.CertificatePath = "/etc/cert.pem", "Turn:PrivateKeyPath");
        AssertError(o => o.PrivateKeyPath = "/etc/key.pem", "Turn:CertificatePath");
    }

    [Fact]
    public void EveryProblem_IsReported()
    {
        var errors = Errors(o => { o.Port = 0; o.UserQuota = -1; o.RelayAddress = "x"; });

        Assert.Equal(3, errors.Count);
    }
}
