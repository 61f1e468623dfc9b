using System.Text;
using Microsoft.Extensions.Configuration;
using Switchboard.Server.Configuration.Coturn;
using Switchboard.Turn.Configuration;

namespace Switchboard.Fuzz;

/// <summary>
/// A coturn turnserver.conf as an operator hands it to <c>switchboard turn --coturn-config</c> (the bytes read as
/// UTF-8). <see cref="CoturnConfigFile.Translate"/> never throws: bad values are errors naming the file and line. A
/// translation without errors must bind to <see cref="TurnOptions"/> the way the server binds it at start, and the
/// options validator must answer it (with failures or not) without throwing.
/// </summary>
public static class CoturnTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        var translation = CoturnConfigFile.Translate(new StringReader(Encoding.UTF8.GetString(data)));
        translation.FormatIgnored();
        foreach (var error in translation.Errors) FuzzInvariantException.Check(error.StartsWith("turnserver.conf:", StringComparison.Ordinal), "error without the file");
        foreach (var warning in translation.Warnings) FuzzInvariantException.Check(warning.StartsWith("turnserver.conf:", StringComparison.Ordinal), "warning without the file");
        foreach (var key in translation.Settings.Keys) FuzzInvariantException.Check(key.StartsWith(TurnOptions.Section + ":", StringComparison.Ordinal), "setting outside Turn");
        if (!translation.Succeeded) return;

        var options = new ConfigurationBuilder().AddInMemoryCollection(translation.Settings).Build()
            .GetSection(TurnOptions.Section).Get<TurnOptions>() ?? new TurnOptions();
        new TurnOptionsValidator().Validate(null, options);
    }
}
