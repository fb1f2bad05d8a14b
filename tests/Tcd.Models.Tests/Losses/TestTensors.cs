using static TorchSharp.torch;

namespace Tcd.Models.Tests.Losses;

/// <summary>Small tensor builders shared by the loss tests; every random tensor comes from a local seeded generator.</summary>
internal static class TestTensors
{
    public static Tensor Floats(float[] values, params long[] shape) => tensor(values, shape);

    public static Tensor Longs(long[] values, params long[] shape) => tensor(values, shape);

    public static Tensor Random(Generator generator, params long[] shape) => randn(shape, generator: generator);

    /// <summary>Attention mask [B, T] with the first <c>lengths[b]</c> positions of row b real.</summary>
    public static Tensor Mask(long length, params long[] lengths)
    {
        var values = new long[lengths.Length * length];
        for (var b = 0; b < lengths.Length; b++)
        {
            for (var t = 0; t < lengths[b]; t++)
            {
                values[b * length + t] = 1;
            }
        }

        return tensor(values, new long[] { lengths.Length, length });
    }

    /// <summary>Copies <paramref name="source"/> into the first positions of a longer sequence filled with <paramref name="fill"/>.</summary>
    public static Tensor PadSequence(Tensor source, int sequenceDim, long newLength, float fill)
    {
        var shape = (long[])source.shape.Clone();
        shape[sequenceDim] = newLength - source.shape[sequenceDim];
        return cat(new[] { source, full(shape, fill) }, dim: sequenceDim);
    }

    public static float Value(Tensor scalar) => scalar.to_type(ScalarType.Float32).item<float>();
}
