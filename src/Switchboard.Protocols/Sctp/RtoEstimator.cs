namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The retransmission timeout of RFC 9260 §6.3.1: RTO.Initial until the first measurement R, then SRTT = R,
/// RTTVAR = R/2; later RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|, SRTT = 7/8 SRTT + 1/8 R'; RTO = SRTT + 4 RTTVAR,
/// within [RTO.Min, RTO.Max]. A timer's expiry doubles it (§6.3.3 E2), up to <paramref name="maxBackoffMillis"/> (never
/// below what the measurements call for) until the next measurement.
/// </summary>
internal sealed class RtoEstimator(int initialMillis, int minMillis, int maxMillis, int maxBackoffMillis)
{
    private double _srtt, _rttVar;
    private bool _measured;

    public int Rto { get; private set; } = Math.Clamp(initialMillis, minMillis, maxMillis);
    public int? SmoothedRtt => _measured ? (int)Math.Round(_srtt) : null;
    public int? RttVariation => _measured ? (int)Math.Round(_rttVar) : null;

    public void AddMeasurement(long rttMillis)
    {
        double r = Math.Max(0, rttMillis);
        if (!_measured)
        {
            _srtt = r;
            _rttVar = r / 2;
            _measured = true;
        }
        else
        {
            _rttVar = 0.75 * _rttVar + 0.25 * Math.Abs(_srtt - r);
            _srtt = 0.875 * _srtt + 0.125 * r;
        }
        Rto = (int)Math.Clamp(Math.Ceiling(_srtt + 4 * _rttVar), minMillis, maxMillis);
    }

    public void BackOff() => Rto = BackedOff(Rto, maxMillis, maxBackoffMillis);

    /// <summary>A timer doubled (§6.3.3 E2), within RTO.Max and the back-off cap, never shorter than it was.</summary>
    public static int BackedOff(int timeoutMillis, int maxMillis, int maxBackoffMillis) =>
        Math.Max(timeoutMillis, (int)Math.Min(2L * timeoutMillis, Math.Min(maxMillis, maxBackoffMillis)));
}
