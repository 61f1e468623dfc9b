namespace Switchboard.Media.Sfu.Selection;

/// <summary>
/// One simulcast encoding of a publisher's video as the server sees it: whether packets arrive, its measured bitrate,
/// and its resolution (0x0 when unknown).
/// </summary>
public readonly record struct SimulcastLayer(bool Active, long Bitrate, int Width, int Height);
