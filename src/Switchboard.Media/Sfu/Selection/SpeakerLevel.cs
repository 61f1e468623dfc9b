namespace Switchboard.Media.Sfu.Selection;

/// <summary>A participant who is speaking now, and how loud (0..1) over the detector's window.</summary>
public readonly record struct SpeakerLevel(string ParticipantId, double Level);
