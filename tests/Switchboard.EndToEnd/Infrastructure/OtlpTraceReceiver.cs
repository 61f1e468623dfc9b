using System.Collections.Concurrent;
using System.Net;

namespace Switchboard.EndToEnd.Infrastructure;

/// <summary>
/// An OTLP/HTTP trace receiver on 127.0.0.1 (HttpListener): takes <c>POST /v1/traces</c> with
/// <c>application/x-protobuf</c> bodies, answers 200 with an empty ExportTraceServiceResponse, and keeps the spans
/// (<see cref="OtlpSpans"/> decodes them).
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<OtlpSpan> _spans = new();
    private readonly ConcurrentQueue<string> _refused = new();
    private readonly Task _listening;

    public OtlpTraceReceiver()
    {
        int port = FreePorts.TcpAndUdp();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _listening = ListenAsync();
    }

    /// <summary>The collector's base URL (the exporter posts to /v1/traces under it).</summary>
    public Uri Endpoint { get; }

    public IReadOnlyList<OtlpSpan> Spans => [.. _spans];

    /// <summary>Requests that were not an OTLP/HTTP protobuf export of traces: method, path and content type.</summary>
    public IReadOnlyList<string> Refused => [.. _refused];

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var response = context.Response;
            var request = context.Request;
            if (request.HttpMethod != "POST" || request.Url?.AbsolutePath != "/v1/traces" || request.ContentType != "application/x-protobuf")
            {
                _refused.Enqueue($"{request.HttpMethod} {request.Url?.AbsolutePath} {request.ContentType}");
                response.StatusCode = 404;
                continue;
            }
            using var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            foreach (var span in OtlpSpans.Decode(body.ToArray())) _spans.Enqueue(span);
            response.StatusCode = 200;
            response.ContentType = "application/x-protobuf";
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _listening;
    }
}
