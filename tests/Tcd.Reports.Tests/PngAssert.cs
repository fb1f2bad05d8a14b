using System.Buffers.Binary;
using SkiaSharp;

namespace Tcd.Reports.Tests;

/// <summary>Checks a file is a PNG of a given size by reading its signature and IHDR chunk, and counts its pixels of a colour.</summary>
internal static class PngAssert
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static void IsPng(string path, int width, int height)
    {
        File.Exists(path).Should().BeTrue($"the chart should be written to {path}");
        var bytes = File.ReadAllBytes(path);
        bytes.Length.Should().BeGreaterThan(1000, "a rendered chart is more than a header");
        bytes.AsSpan(0, 8).ToArray().Should().Equal(Signature);

        // The first chunk is IHDR: 4-byte length, "IHDR", then big-endian width and height.
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).Should().Be("IHDR");
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)).Should().Be(width);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)).Should().Be(height);
    }

    /// <summary>Counts the pixels of an exact colour (anti-aliased edges blend, so only the inside of a shape counts).</summary>
    public static int PixelsOfColour(string path, (byte Red, byte Green, byte Blue) colour)
    {
        using var bitmap = SKBitmap.Decode(path);
        return bitmap.Pixels.Count(pixel => pixel.Red == colour.Red && pixel.Green == colour.Green && pixel.Blue == colour.Blue);
    }
}
