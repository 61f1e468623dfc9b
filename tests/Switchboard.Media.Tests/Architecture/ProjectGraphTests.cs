using System.Xml.Linq;
using Switchboard.Media.Sfu;

namespace Switchboard.Media.Tests.Architecture;

/// <summary>
/// The arrows of docs/architecture.md, checked on the project files and the compiled assembly: the servers do not know
/// each other (signaling drives the media server through Switchboard.Media.Contracts), and only the executable joins them.
/// </summary>
public sealed class ProjectGraphTests
{
    /// <summary>The project references each library may have; the executable (Switchboard.Server) may reference any.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Switchboard.Protocols"] = [],
        ["Switchboard.Media.Contracts"] = [],
        ["Switchboard.Dtls"] = ["Switchboard.Protocols"],
        ["Switchboard.Media"] = ["Switchboard.Dtls", "Switchboard.Protocols", "Switchboard.Media.Contracts"],
        ["Switchboard.Turn"] = ["Switchboard.Dtls", "Switchboard.Protocols"],
        ["Switchboard.Signaling"] = ["Switchboard.Media.Contracts"],
    };

    [Fact]
    public void Each_library_references_only_what_the_architecture_allows()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        var libraries = Directory.GetDirectories(src).Select(Path.GetFileName).Where(n => n != "Switchboard.Server").ToList();
        Assert.Equal(Allowed.Keys.Order(), libraries.Order()); // a new library gets its line above
        foreach (string library in libraries.OfType<string>())
        {
            var references = XDocument.Load(Path.Combine(src, library, library + ".csproj")).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')));
            Assert.All(references, reference => Assert.True(Allowed[library].Contains(reference), $"{library} must not reference {reference}"));
        }
    }

    [Fact]
    public void The_media_server_assembly_uses_neither_signaling_nor_turn()
    {
        var used = typeof(SfuService).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Switchboard.Signaling", used);
        Assert.DoesNotContain("Switchboard.Turn", used);
        Assert.Contains("Switchboard.Media.Contracts", used);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx"))) return directory.FullName;
        throw new InvalidOperationException("Switchboard.slnx not found above " + AppContext.BaseDirectory);
    }
}
