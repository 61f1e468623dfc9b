using System.Buffers.Binary;
using System.Text;
using Switchboard.Protocols.Containers;

namespace Switchboard.Protocols.Tests.Containers;

/// <summary>The fragmented MP4's box structure (ISO/IEC 14496-12): sizes that add up, and the boxes in their order.</summary>
[Collection(FfmpegCollection.Name)]
public class Mp4BoxTests(EncodedClips clips)
{
    [Fact]
    public void Every_box_size_adds_up_to_its_parent_and_the_file()
    {
        var format = new TrackFormat(RecordingCodec.H264, 90000);
        byte[] file = Recording.Record(format, ContainerChoice.Mp4, clips.Video(RecordingCodec.H264));

        var top = Walk(file, 0, file.Length);
        Assert.Equal(["ftyp", "moov", "moof", "mdat", "moof", "mdat", "moof", "mdat", "moof", "mdat", "mfra"], top.Select(box => box.Type));
        var moov = top[1];
        Assert.Equal(["mvhd", "trak", "mvex"], Walk(file, moov.Start + 8, moov.End).Select(box => box.Type));
        var moof = top[2];
        var traf = Walk(file, moof.Start + 8, moof.End)[1];
        Assert.Equal(["tfhd", "tfdt", "trun"], Walk(file, traf.Start + 8, traf.End).Select(box => box.Type));
        var mfra = top[^1];
        Assert.Equal((uint)(mfra.End - mfra.Start), BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(mfra.End - 4))); // mfro
    }

    /// <summary>The boxes between two offsets; fails when a size runs past the end or leaves bytes over.</summary>
    static List<(string Type, int Start, int End)> Walk(byte[] file, int start, int end)
    {
        var boxes = new List<(string, int, int)>();
        while (start < end)
        {
            int size = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(start));
            Assert.InRange(size, 8, end - start);
            boxes.Add((Encoding.ASCII.GetString(file, start + 4, 4), start, start + size));
            start += size;
        }
        Assert.Equal(end, start);
        return boxes;
    }
}
