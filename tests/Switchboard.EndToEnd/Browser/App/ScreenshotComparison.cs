using Microsoft.Playwright;
using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Browser.App;

/// <summary>
/// Compares a page's screenshot with a committed baseline (Browser/App/Screenshots/NAME.png), pixel by pixel in the
/// browser's own canvas, so that a broken layout fails the run. Video is masked (it moves). The new screenshot is
/// kept in TestResults/screenshots for a look; SWITCHBOARD_UPDATE_SCREENSHOTS=1 rewrites the baseline.
/// </summary>
public static class ScreenshotComparison
{
    /// <summary>Fraction of pixels allowed to differ (by more than 24 per channel): anti-aliasing, the caret, the clock.</summary>
    private const double Tolerance = 0.01;

    /// <param name="alsoMask">Selectors of more parts that change from run to run (measurements), masked like video.</param>
    public static async Task MatchAsync(IPage page, string name, params string[] alsoMask)
    {
        var actual = await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Mask = [page.Locator("video"), .. alsoMask.Select(selector => page.Locator(selector))],
            MaskColor = "#000000",
            Animations = ScreenshotAnimations.Disabled,
            Caret = ScreenshotCaret.Hide,
        });
        var output = Path.Combine(RepoLayout.Root, "TestResults", "screenshots");
        Directory.CreateDirectory(output);
        await File.WriteAllBytesAsync(Path.Combine(output, name + ".png"), actual);

        var baselinePath = Path.Combine(RepoLayout.Root, "tests", "Switchboard.EndToEnd", "Browser", "App", "Screenshots", name + ".png");
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_UPDATE_SCREENSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(baselinePath)!);
            await File.WriteAllBytesAsync(baselinePath, actual);
            return;
        }
        Assert.True(File.Exists(baselinePath), $"No baseline {baselinePath}: run the test once with SWITCHBOARD_UPDATE_SCREENSHOTS=1 and commit it.");
        var baseline = await File.ReadAllBytesAsync(baselinePath);

        // Compared in a blank page of the same browser: the app's Content Security Policy (rightly) refuses data: images.
        var scratch = await page.Context.NewPageAsync();
        var difference = await scratch.EvaluateAsync<double>("""
            async ([a, b]) => {
              const load = async (base64) => { const img = new Image(); img.src = 'data:image/png;base64,' + base64; await img.decode(); return img; };
              const [x, y] = await Promise.all([load(a), load(b)]);
              if (x.width !== y.width || x.height !== y.height) return 1;
              const pixels = (img) => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(0, 0, img.width, img.height).data; };
              const p = pixels(x), q = pixels(y);
              let differ = 0;
              for (let i = 0; i < p.length; i += 4)
                if (Math.abs(p[i] - q[i]) > 24 || Math.abs(p[i + 1] - q[i + 1]) > 24 || Math.abs(p[i + 2] - q[i + 2]) > 24) differ++;
              return differ / (p.length / 4);
            }
            """, new[] { Convert.ToBase64String(actual), Convert.ToBase64String(baseline) });
        await scratch.CloseAsync();
        Assert.True(difference <= Tolerance,
            $"Screenshot '{name}' differs from its baseline in {difference:P2} of pixels (allowed {Tolerance:P0}); see {Path.Combine(output, name + ".png")}.");
    }
}
