namespace Switchboard.Protocols.Containers.Matroska;

/// <summary>The element IDs the writer uses (Matroska, RFC 9559 §5.1; EBML header, RFC 8794 §11.2).</summary>
internal static class MatroskaIds
{
    public const uint Ebml = 0x1A45DFA3, EbmlVersion = 0x4286, EbmlReadVersion = 0x42F7, EbmlMaxIdLength = 0x42F2,
        EbmlMaxSizeLength = 0x42F3, DocType = 0x4282, DocTypeVersion = 0x4287, DocTypeReadVersion = 0x4285, Void = 0xEC;

    public const uint Segment = 0x18538067, SeekHead = 0x114D9B74, Seek = 0x4DBB, SeekId = 0x53AB, SeekPosition = 0x53AC;

    public const uint Info = 0x1549A966, TimestampScale = 0x2AD7B1, Duration = 0x4489, MuxingApp = 0x4D80, WritingApp = 0x5741;

    public const uint Tracks = 0x1654AE6B, TrackEntry = 0xAE, TrackNumber = 0xD7, TrackUid = 0x73C5, TrackType = 0x83,
        FlagLacing = 0x9C, CodecId = 0x86, CodecPrivate = 0x63A2, CodecDelay = 0x56AA, SeekPreRoll = 0x56BB, Video = 0xE0,
        PixelWidth = 0xB0, PixelHeight = 0xBA, Audio = 0xE1, SamplingFrequency = 0xB5, Channels = 0x9F;

    public const uint Cluster = 0x1F43B675, Timestamp = 0xE7, SimpleBlock = 0xA3;

    public const uint Cues = 0x1C53BB6B, CuePoint = 0xBB, CueTime = 0xB3, CueTrackPositions = 0xB7, CueTrack = 0xF7,
        CueClusterPosition = 0xF1;
}
