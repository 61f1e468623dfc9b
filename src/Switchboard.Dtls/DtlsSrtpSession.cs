using System.Buffers;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Switchboard.Dtls;

/// <summary>
/// One peer's DTLS-SRTP association. <see cref="Start"/> runs the handshake on a thread of its own, which ends with the
/// handshake; the caller's receive loop feeds every DTLS datagram to <see cref="OnDatagram"/>, which never blocks.
/// Once established, datagrams are still decrypted inline: a retransmitted final flight from the peer makes
/// BouncyCastle resend ours (RFC 6347 §4.2.4), close_notify or a fatal alert ends the session, and application data
/// (SCTP for data channels, RFC 8261) is raised by <see cref="ApplicationData"/> after the session's lock is let go,
/// so a handler may send on this and other sessions.
/// </summary>
public sealed class DtlsSrtpSession
{
    private readonly DtlsRole _role;
    private readonly DtlsCertificate _certificate;
    private readonly CertificateFingerprint _remoteFingerprint;
    private readonly DtlsSrtpSettings _settings;
    /// <summary>BouncyCastle's record layer is not thread-safe: decryption and encryption take turns under this lock.</summary>
    private readonly object _receiveLock = new();
    private readonly CertificateVerifyGuard _certificateVerifyGuard = new();
    private DtlsTransport? _dtls;
    private int _state; // 0 new, 1 handshaking, 2 connected, 3 ended

    public DtlsSrtpSession(DtlsRole role, DtlsCertificate certificate, CertificateFingerprint remoteFingerprint,
        Action<ReadOnlySpan<byte>> send, DtlsSrtpSettings? settings = null)
    {
        _role = role;
        _certificate = certificate;
        _remoteFingerprint = remoteFingerprint;
        _settings = settings ?? new DtlsSrtpSettings();
        Transport = new QueuedDatagramTransport(send, _settings.MaxQueuedDatagrams);
    }

    /// <summary>Raised once, on the handshake thread, with the SRTP keys.</summary>
    public event Action<SrtpKeyingMaterial>? Connected;

    /// <summary>
    /// A record of application data from the peer (a copy the handler may keep), on the thread that fed its datagram.
    /// Raised outside the session's lock.
    /// </summary>
    public event Action<byte[]>? ApplicationData;

    /// <summary>
    /// Raised once when the handshake fails or the established session ends, with the reason; never under the session's
    /// lock, so a handler may wait for a lock that a thread sending on this session holds.
    /// </summary>
    public event Action<string>? Ended;

    public DtlsRole Role => _role;

    public bool IsConnected => Volatile.Read(ref _state) == 2;

    public bool IsEnded => Volatile.Read(ref _state) == 3;

    /// <summary>The keys once connected.</summary>
    public SrtpKeyingMaterial? Keys { get; private set; }

    internal QueuedDatagramTransport Transport { get; }

    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
        Task.Factory.StartNew(RunHandshake, CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
    }

    private void RunHandshake()
    {
        var crypto = new BcTlsCrypto();
        string? alert = null;
        try
        {
            SrtpKeyingMaterial? keys;
            DtlsTransport dtls;
            if (_role == DtlsRole.Server)
            {
                var server = new DtlsSrtpServer(crypto, _certificate, _remoteFingerprint, _settings);
                try { dtls = new DtlsServerProtocol().Accept(server, Transport); }
                finally { alert = server.Alert; }
                keys = server.Keys;
            }
            else
            {
                var client = new DtlsSrtpClient(crypto, _certificate, _remoteFingerprint, _settings);
                try { dtls = new DtlsClientProtocol().Connect(client, Transport); }
                finally { alert = client.Alert; }
                keys = client.Keys;
            }
            bool established;
            lock (_receiveLock)
            {
                established = Interlocked.CompareExchange(ref _state, 2, 1) == 1 && keys is not null;
                if (established)
                {
                    _dtls = dtls;
                    Keys = keys;
                    Transport.MarkEstablished();
                }
            }
            if (!established)
            {
                End(keys is null ? "the handshake exported no keys" : "closed during the handshake");
                return;
            }
            Connected?.Invoke(keys!);
            DrainQueued();
        }
        catch (Exception e)
        {
            // BouncyCastle's DTLS raises the alert for a failure on this side without its message: a TlsFatalAlert
            // this side threw (a certificate that does not match the fingerprint) has the alert and the message;
            // anything else (a timeout) is sent as internal_error.
            string reason = alert is null ? e.Message
                : !alert.StartsWith("sent ", StringComparison.Ordinal) ? alert
                : e is TlsFatalAlert ? $"sent {e.Message}"
                : $"{alert} ({e.Message})";
            End($"DTLS handshake failed: {reason}");
        }
    }

    /// <summary>A DTLS datagram from the peer (RFC 7983: first byte 20-63). Never blocks.</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        if (IsEnded || (_role == DtlsRole.Server && !IsConnected && _certificateVerifyGuard.ShouldDrop(datagram))) return;
        if (Transport.TryQueueForHandshake(datagram)) return;
        List<byte[]>? records = null;
        string? ended = null;
        lock (_receiveLock)
        {
            Transport.SetCurrent(datagram.ToArray());
            try { Decrypt(ref records, ref ended); }
            finally { Transport.ClearCurrent(); }
        }
        Raise(records, ended);
    }

    /// <summary>
    /// What a decryption yielded, raised after the session's lock is let go: a handler may take its own locks, and one
    /// that sends (or closes) on another thread needs this one.
    /// </summary>
    private void Raise(List<byte[]>? records, string? ended)
    {
        if (records is not null && ApplicationData is { } handler)
            foreach (byte[] record in records) handler(record);
        if (ended is not null) Ended?.Invoke(ended);
    }

    /// <summary>
    /// Sends one record of application data (at most 2^14 bytes); false before the handshake completes, after the
    /// session ended, or when the record layer refuses it.
    /// </summary>
    public bool Send(ReadOnlySpan<byte> data)
    {
        if (!IsConnected || _dtls is not { } dtls) return false;
        byte[] record = ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(record);
            lock (_receiveLock) dtls.Send(record, 0, data.Length);
            return true;
        }
        catch (Exception e) when (e is TlsFatalAlert or IOException or InvalidOperationException)
        {
            End($"DTLS session ended: {e.Message}");
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    /// <summary>Datagrams that arrived between the last handshake receive and the switch to inline decryption.</summary>
    private void DrainQueued()
    {
        List<byte[]>? records = null;
        string? ended = null;
        lock (_receiveLock)
        {
            if (Transport.HasPending) Decrypt(ref records, ref ended);
        }
        Raise(records, ended);
    }

    /// <summary>
    /// Lets BouncyCastle process what is waiting; the application data it yields is copied to <paramref name="records"/>.
    /// Alerts and failures end the session; the reason is left in <paramref name="ended"/> for the caller to raise.
    /// </summary>
    private void Decrypt(ref List<byte[]>? records, ref string? ended)
    {
        DtlsTransport? dtls = _dtls;
        if (dtls is null) return;
        byte[] plaintext = ArrayPool<byte>.Shared.Rent(1 << 14);
        try
        {
            while (Transport.HasPending && !IsEnded)
            {
                int length = dtls.Receive(plaintext, 0, plaintext.Length, 1);
                if (length > 0) (records ??= []).Add(plaintext.AsSpan(0, length).ToArray());
                else if (length < 0 && Transport.IsClosed) MarkEnded("DTLS session closed by the peer", ref ended);
                // The other records of the same datagram (-1 when there are none): now, not with the next datagram.
                while (!IsEnded && (length = dtls.ReceivePending(plaintext, 0, plaintext.Length)) >= 0)
                    if (length > 0) (records ??= []).Add(plaintext.AsSpan(0, length).ToArray());
            }
        }
        catch (DatagramQueueDrainedException)
        {
            // A datagram without application data: a retransmitted flight (answered by BouncyCastle) or a stray record.
            // Or close_notify: BouncyCastle closes the transport and, within the 1 ms wait, asks it for the next
            // datagram instead of returning -1.
            if (Transport.IsClosed) MarkEnded("DTLS session closed by the peer", ref ended);
        }
        catch (Exception e)
        {
            MarkEnded($"DTLS session ended: {e.Message}", ref ended);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    /// <summary>Sends close_notify when connected, and ends the session; a handshake in progress fails.</summary>
    public void Close()
    {
        // Ended first, so that the peer's answering close_notify, decrypted meanwhile on the receive loop, finds the
        // session over instead of ending it "closed by the peer".
        int previous = Interlocked.Exchange(ref _state, 3);
        if (previous == 3) return;
        DtlsTransport? dtls = _dtls;
        if (dtls is not null && previous == 2)
        {
            try { dtls.Close(); }
            catch (Exception) { /* best effort: close_notify is a courtesy */ }
        }
        Transport.Close();
        Ended?.Invoke("closed");
    }

    private void End(string reason)
    {
        string? ended = null;
        MarkEnded(reason, ref ended);
        if (ended is not null) Ended?.Invoke(ended);
    }

    /// <summary>Ends the session; the first to do so gets the reason in <paramref name="ended"/>, to raise it.</summary>
    private void MarkEnded(string reason, ref string? ended)
    {
        if (Interlocked.Exchange(ref _state, 3) == 3) return;
        Transport.Close();
        ended = reason;
    }
}
