using System.Globalization;
using ScottPlot;

namespace Tcd.Reports;

/// <summary>Renders ScottPlot figures to PNG files with invariant-culture tick labels.</summary>
internal static class PngRenderer
{
    /// <summary>Smallest and largest image side accepted, in pixels.</summary>
    private const int MinimumSide = 64;
    private const int MaximumSide = 16384;

    public static void ValidateSize(int width, int height)
    {
        if (width is < MinimumSide or > MaximumSide)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"Chart width must be between {MinimumSide} and {MaximumSide} pixels.");
        }

        if (height is < MinimumSide or > MaximumSide)
        {
            throw new ArgumentOutOfRangeException(nameof(height), height, $"Chart height must be between {MinimumSide} and {MaximumSide} pixels.");
        }
    }

    public static void Save(Plot plot, string path, int width, int height) =>
        OutputFile.WriteBytes(path, InInvariantCulture(() => plot.GetImageBytes(width, height, ImageFormat.Png)));

    public static void Save(Multiplot multiplot, string path, int width, int height) =>
        OutputFile.WriteBytes(path, InInvariantCulture(() =>
        {
            using var image = multiplot.Render(width, height);
            return image.GetImageBytes(ImageFormat.Png);
        }));

    /// <summary>Tick labels are formatted while rendering, with the thread's culture; pin it so a German machine still writes 0.5.</summary>
    private static byte[] InInvariantCulture(Func<byte[]> render)
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
