namespace Switchboard.Server;

/// <summary>Settings of the process itself, bound from the "Server" section.</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>Where state made at first start is kept (certificates, generated secrets).</summary>
    public string DataDirectory { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "switchboard");
}
