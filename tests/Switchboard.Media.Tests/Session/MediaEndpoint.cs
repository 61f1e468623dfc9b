using System.Collections.Concurrent;
using System.Net;
using Switchboard.Dtls;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Srtp;

namespace Switchboard.Media.Tests.Session;

/// <summary>What one side received over SRTP or SRTCP: the result, and the packet (decrypted when the result is Ok).</summary>
internal readonly record struct Received(SrtpResult Result, byte[] Packet);

/// <summary>
/// What both ends of the in-memory session share: one datagram port demultiplexed as RFC 7983 says (STUN, DTLS, RTP,
/// RTCP by first byte), a DTLS-SRTP session, and an SRTP context per direction made from its keys. The receive side
/// runs on the link's delivery thread, the send side on the test's thread: each SRTP context is used by one thread.
/// </summary>
internal abstract class MediaEndpoint : IDisposable
{
    private SrtpContext? _send;
    private SrtpContext? _receive;
    private int _refused;
    private int _unknown;

    protected MediaEndpoint(IDatagramEnd end, DtlsRole role, DtlsCertificate certificate, CertificateFingerprint peerFingerprint,
        DtlsSrtpSettings settings)
    {
        Link = end;
        Dtls = new DtlsSrtpSession(role, certificate, peerFingerprint, end.Send, settings);
        Dtls.Connected += keys =>
        {
            Volatile.Write(ref _send, new SrtpContext(keys.Profile, keys.LocalMasterKey, keys.LocalMasterSalt));
            Volatile.Write(ref _receive, new SrtpContext(keys.Profile, keys.RemoteMasterKey, keys.RemoteMasterSalt));
            Connected.TrySetResult(keys);
        };
        Dtls.Ended += reason => Ended.TrySetResult(reason);
        end.Receive = OnDatagram;
    }

    protected IDatagramEnd Link { get; }

    public DtlsSrtpSession Dtls { get; }

    public TaskCompletionSource<SrtpKeyingMaterial> Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<string> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<Received> ReceivedRtp { get; } = new();

    public ConcurrentQueue<Received> ReceivedRtcp { get; } = new();

    /// <summary>DTLS, RTP and RTCP datagrams dropped because they came over a path ICE has not validated, or before the keys.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Datagrams that are none of STUN, DTLS, RTP, RTCP.</summary>
    public int Unknown => Volatile.Read(ref _unknown);

    /// <summary>Protects <paramref name="rtp"/> and sends it; returns the SRTP packet as sent.</summary>
    public byte[] SendRtp(byte[] rtp)
    {
        byte[] srtp = ProtectRtp(rtp);
        Link.Send(srtp);
        return srtp;
    }

    public byte[] ProtectRtp(byte[] rtp) => Packets.ProtectRtp(_send ?? throw new InvalidOperationException("not connected"), rtp);

    public byte[] SendRtcp(byte[] rtcp)
    {
        byte[] srtcp = Packets.ProtectRtcp(_send ?? throw new InvalidOperationException("not connected"), rtcp);
        Link.Send(srtcp);
        return srtcp;
    }

    /// <summary>Sends bytes as they are (a replayed or forged packet).</summary>
    public void SendRaw(byte[] datagram) => Link.Send(datagram);

    protected abstract void OnStun(IPEndPoint from, byte[] datagram);

    /// <summary>True when DTLS and media from <paramref name="from"/> may be processed.</summary>
    protected abstract bool Accepts(IPEndPoint from);

    private void OnDatagram(IPEndPoint from, byte[] datagram)
    {
        MultiplexedPacketKind kind = MultiplexedPacket.Classify(datagram);
        if (kind == MultiplexedPacketKind.Stun)
        {
            OnStun(from, datagram);
            return;
        }
        if (kind == MultiplexedPacketKind.Unknown)
        {
            Interlocked.Increment(ref _unknown);
            return;
        }
        if (!Accepts(from))
        {
            Interlocked.Increment(ref _refused);
            return;
        }
        if (kind == MultiplexedPacketKind.Dtls)
        {
            Dtls.OnDatagram(datagram);
            return;
        }
        if (Volatile.Read(ref _receive) is not { } context)
        {
            Interlocked.Increment(ref _refused);
            return;
        }
        if (kind == MultiplexedPacketKind.Rtp)
        {
            SrtpResult result = context.UnprotectRtp(datagram, out int length);
            ReceivedRtp.Enqueue(new Received(result, result == SrtpResult.Ok ? datagram[..length] : datagram));
        }
        else
        {
            SrtpResult result = context.UnprotectRtcp(datagram, out int length);
            ReceivedRtcp.Enqueue(new Received(result, result == SrtpResult.Ok ? datagram[..length] : datagram));
        }
    }

    /// <summary>Call once the link is stopped: the receive context belongs to its delivery thread.</summary>
    public virtual void Dispose()
    {
        Dtls.Close();
        _send?.Dispose();
        _receive?.Dispose();
    }
}
