using System.Net;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Dtls;
using Switchboard.Media.Tests.Support;
using Switchboard.Protocols.Ice;
using Switchboard.Protocols.Stun;

namespace Switchboard.Media.Tests.Session;

/// <summary>
/// A browser's side, reduced to one candidate pair: a full ICE agent in the controlling role sends one nominating
/// Binding request (USERNAME "server:client", ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY with the server's
/// password, FINGERPRINT) and retransmits it until an authenticated success response arrives; then DTLS in the client
/// role (a=setup:active), then SRTP.
/// </summary>
internal sealed class FullIceClientEngine : MediaEndpoint
{
    private readonly IceCredentials _local;
    private readonly IceCredentials _server;
    private readonly IPEndPoint _serverAddress;
    private readonly byte[] _transactionId = RandomNumberGenerator.GetBytes(StunConstants.TransactionIdLength);
    private readonly TaskCompletionSource<IPEndPoint> _bindingSucceeded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requestsSent;
    private int _responsesAccepted;
    private int _responsesRejected;

    public FullIceClientEngine(IDatagramEnd end, IPEndPoint serverAddress, IceCredentials local, IceCredentials server,
        DtlsCertificate certificate, CertificateFingerprint serverFingerprint, DtlsSrtpSettings settings)
        : base(end, DtlsRole.Client, certificate, serverFingerprint, settings)
    {
        _local = local;
        _server = server;
        _serverAddress = serverAddress;
    }

    public int RequestsSent => Volatile.Read(ref _requestsSent);

    /// <summary>Success responses with our transaction ID that authenticated (a retransmission may earn several).</summary>
    public int ResponsesAccepted => Volatile.Read(ref _responsesAccepted);

    /// <summary>STUN that was not an authentic success response to our check.</summary>
    public int ResponsesRejected => Volatile.Read(ref _responsesRejected);

    /// <summary>The XOR-MAPPED-ADDRESS of the first accepted success response.</summary>
    public Task<IPEndPoint> BindingSucceeded => _bindingSucceeded.Task;

    /// <summary>Checks until the server answers, retransmitting every <paramref name="retransmission"/>; then starts DTLS.</summary>
    public async Task RunAsync(TimeSpan retransmission, CancellationToken cancellation)
    {
        byte[] request = BindingRequest();
        while (!_bindingSucceeded.Task.IsCompleted)
        {
            cancellation.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _requestsSent);
            Link.Send(request);
            // The retransmission timer: wakes at once when the response arrives.
            await Task.WhenAny(_bindingSucceeded.Task, Task.Delay(retransmission, cancellation));
        }
        Dtls.Start();
    }

    /// <summary>Consent freshness (RFC 7675 §5.1): a check on the selected pair every <paramref name="interval"/> until cancelled.</summary>
    public async Task KeepConsentAsync(TimeSpan interval, CancellationToken cancellation)
    {
        byte[] request = BindingRequest();
        try
        {
            while (!Dtls.IsEnded)
            {
                await Task.Delay(interval, cancellation);
                Link.Send(request);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private byte[] BindingRequest()
    {
        var buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, new StunMessageType(StunMethod.Binding, StunClass.Request), _transactionId);
        writer.AddString(StunAttributeType.Username, $"{_server.Ufrag}:{_local.Ufrag}");
        writer.AddUInt32(StunAttributeType.Priority, 0x6E00_1EFF);
        writer.AddUInt64(StunAttributeType.IceControlling, 0x0123_4567_89AB_CDEF);
        writer.AddEmpty(StunAttributeType.UseCandidate);
        writer.AddMessageIntegrity(Encoding.UTF8.GetBytes(_server.Password));
        writer.AddFingerprint();
        return buffer[..writer.Length];
    }

    protected override bool Accepts(IPEndPoint from) => from.Equals(_serverAddress);

    protected override void OnStun(IPEndPoint from, byte[] datagram)
    {
        if (from.Equals(_serverAddress)
            && StunMessageReader.TryParse(datagram, out StunMessageReader response) == StunParseError.None
            && response.Method == StunMethod.Binding && response.Class == StunClass.SuccessResponse
            && response.TransactionId.SequenceEqual(_transactionId)
            && response.VerifyFingerprint()
            && response.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(_server.Password))
            && response.TryGetAttribute(StunAttributeType.XorMappedAddress, out ReadOnlySpan<byte> mapped)
            && StunAddress.TryDecode(mapped, response.TransactionId, out IPEndPoint mappedAddress))
        {
            Interlocked.Increment(ref _responsesAccepted);
            _bindingSucceeded.TrySetResult(mappedAddress);
            return;
        }
        Interlocked.Increment(ref _responsesRejected);
    }
}
