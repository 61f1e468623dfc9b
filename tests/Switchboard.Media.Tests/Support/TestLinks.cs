using Switchboard.Dtls;

namespace Switchboard.Media.Tests.Support;

internal static class TestLinks
{
    /// <summary>Retransmits a lost handshake flight after 100 ms (then 200, 400, ...) instead of 1 s, so that loss costs little time.</summary>
    public static readonly DtlsSrtpSettings FastRetransmission = new()
    {
        InitialRetransmission = TimeSpan.FromMilliseconds(100),
        HandshakeTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>The production default timeout: with 20% loss, BouncyCastle's doubling retransmission timer now and then needs several seconds.</summary>
    public static readonly DtlsSrtpSettings LossySettings = FastRetransmission with { HandshakeTimeout = TimeSpan.FromSeconds(15) };

    /// <summary>20% loss, 5% duplication, 10% of datagrams held back up to 20 ms, in both directions, every datagram alike.</summary>
    public static LinkImpairment Lossy => new(Loss: 0.2, Duplication: 0.05, Reordering: 0.1, MaxDelayMillis: 20);
}
