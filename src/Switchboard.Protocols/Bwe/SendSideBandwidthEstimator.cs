using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;

namespace Switchboard.Protocols.Bwe;

/// <summary>
/// What the path to a subscriber carries, estimated by the sender from transport-wide congestion control feedback on
/// what the SFU sent it (a reduced form of GCC, draft-ietf-rmcat-gcc-02: one delay-based and one loss-based signal).
/// Every packet leaves with a transport-wide sequence number and its send time is kept; each feedback says which
/// arrived and when. Overuse is arrivals spreading more than 10 ms wider than the sends did over one feedback (a queue
/// building), or more than 10 % lost over the last <see cref="LossWindow"/> feedbacks (about a second: random loss on
/// a path without a queue, Wi-Fi's say, is not taken for congestion, as GCC's loss controller does not): the estimate
/// drops to 85 % of what arrived. Under 2 % lost it grows 5 % per feedback up to 1.5 times what arrived; between 2 and
/// 10 % it holds. Without overuse it is at least what arrived over a long enough span: more is learned by sending
/// more (a probe, <see cref="PathEstimate.ProbeCopies"/>). Thread-safe.
/// </summary>
public sealed class SendSideBandwidthEstimator
{
    private const int History = 8192; // a power of two
    private const long QueueGrowthMicroseconds = 10_000, MinimumEstimate = 100_000, MinimumSpanMicroseconds = 50_000;

    private readonly Lock _gate = new();
    private readonly ushort[] _sequences = new ushort[History];
    private readonly long[] _sentAt = new long[History];
    private readonly int[] _sizes = new int[History];

    /// <summary>Feedbacks whose loss counts together.</summary>
    public const int LossWindow = 8;

    private readonly (int Received, int Lost)[] _recentLoss = new (int, int)[LossWindow];
    private int _recentLossNext;
    private ushort _next = (ushort)Random.Shared.Next(ushort.MaxValue);
    private long _estimate = long.MaxValue;

    /// <summary>Bits per second the path is estimated to carry; <see cref="long.MaxValue"/> before the first feedback.</summary>
    public long Estimate
    {
        get { lock (_gate) return _estimate; }
    }

    /// <summary>When the last feedback showed overuse (0: never).</summary>
    public long LastOveruseAt { get; private set; }

    /// <summary>
    /// Gives the packet the next transport-wide sequence number in its element <paramref name="extensionId"/> and
    /// remembers when it left; false (nothing numbered) when the packet has no such element.
    /// </summary>
    public bool TryStamp(Span<byte> packet, int extensionId, long nowMicroseconds)
    {
        if (extensionId <= 0) return false;
        lock (_gate)
        {
            ushort sequence = _next;
            if (!RtpHeaderRewriter.TrySetExtension(packet, extensionId, [(byte)(sequence >> 8), (byte)sequence])) return false;
            int slot = sequence & (History - 1);
            (_sequences[slot], _sentAt[slot], _sizes[slot]) = (sequence, nowMicroseconds, packet.Length);
            _next++;
            return true;
        }
    }

    /// <summary>Reads one feedback from the subscriber; returns true when it showed overuse.</summary>
    public bool OnFeedback(in TransportFeedback feedback, long nowMillis)
    {
        lock (_gate)
        {
            long firstSent = -1, lastSent = 0, firstArrival = 0, lastArrival = 0, bytes = 0, firstBytes = 0;
            int received = 0, lost = 0;
            foreach (PacketStatus status in feedback)
            {
                int slot = status.SequenceNumber & (History - 1);
                if (_sequences[slot] != status.SequenceNumber || _sentAt[slot] == 0) continue;
                if (!status.Received)
                {
                    lost++;
                    continue;
                }
                received++;
                bytes += _sizes[slot];
                if (!status.HasReceiveDelta) continue;
                if (firstSent < 0) (firstSent, firstArrival, firstBytes) = (_sentAt[slot], status.ArrivalMicroseconds, _sizes[slot]);
                (lastSent, lastArrival) = (_sentAt[slot], status.ArrivalMicroseconds);
            }
            if (received + lost < 5 || firstSent < 0) return false; // too little to judge
            long arrivalSpan = lastArrival - firstArrival, sendSpan = lastSent - firstSent;
            // The first arrival starts the span; what came after it arrived within it.
            long arrived = arrivalSpan > 0 ? (bytes - firstBytes) * 8 * 1_000_000 / arrivalSpan : long.MaxValue / 4;
            _recentLoss[_recentLossNext++ % LossWindow] = (received, lost);
            (int windowReceived, int windowLost) = (0, 0);
            foreach (var (r, l) in _recentLoss) (windowReceived, windowLost) = (windowReceived + r, windowLost + l);
            bool overuse = windowLost * 10 > windowReceived + windowLost || arrivalSpan - sendSpan > QueueGrowthMicroseconds;
            if (overuse)
            {
                _estimate = Math.Max(MinimumEstimate, Math.Min(_estimate, arrived) * 85 / 100);
                LastOveruseAt = nowMillis;
            }
            else
            {
                if (windowLost * 50 <= windowReceived + windowLost) // under 2 % lost
                {
                    long grown = _estimate == long.MaxValue ? arrived * 3 / 2 : _estimate + _estimate / 20;
                    _estimate = Math.Max(MinimumEstimate, Math.Min(grown, arrived * 3 / 2 + MinimumEstimate));
                }
                // What arrived without a queue building, the path carried: a probe raises the estimate at once.
                if (arrivalSpan >= MinimumSpanMicroseconds && arrived < long.MaxValue / 4) _estimate = _estimate == long.MaxValue ? arrived : Math.Max(_estimate, arrived);
            }
            return overuse;
        }
    }
}
