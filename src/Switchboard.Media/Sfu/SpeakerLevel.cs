using Switchboard.Protocols.Bwe;
using Switchboard.Protocols.Rtcp;
using Switchboard.Protocols.Rtp;
namespace Switchboard.Media.Sfu;

/// <summary>A participant who is speaking now, and how loud (0..1) over the detector's window.</summary>
public readonly record struct SpeakerLevel(string ParticipantId, double Level);
