namespace Switchboard.Media.Tests.Support;

/// <summary>One encoding of a camera: its rid (empty without simulcast), size and bit rate.</summary>
internal sealed record LayerSpec(string Rid, int Width, int Height, long Bitrate);
