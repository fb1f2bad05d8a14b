namespace Tcd.Models.Runtime;

/// <summary>
/// Derives independent, reproducible seeds from a base seed and a position (epoch and batch, step, ...), so every
/// random choice of a run is a pure function of where it happens — which makes resumed runs exact.
/// </summary>
public static class Seeds
{
    /// <summary>
    /// Mixes a base seed and two coordinates into one well-spread 64-bit seed (SplitMix64 finaliser). Use a distinct
    /// constant coordinate (e.g. a negative tag) to separate streams such as dropout from masking.
    /// </summary>
    public static long Combine(long seed, long first, long second)
    {
        var x = Mix((ulong)seed);
        x = Mix(x ^ (ulong)first);
        x = Mix(x ^ (ulong)second);
        return (long)x;
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
