namespace Switchboard.Turn.Certificates;

/// <summary>A certificate or key file could not be used; the message names the file and the problem.</summary>
public sealed class ServerCertificateException(string filePath, string message, Exception? inner = null)
    : Exception($"{filePath}: {message}", inner)
{
    /// <summary>The file at fault.</summary>
    public string FilePath { get; } = filePath;
}
