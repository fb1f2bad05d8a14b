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

    /// <summary>
    /// Runs <paramref name="create"/> with torch's global CPU generator seeded by <paramref name="seed"/>, then gives
    /// the caller back its generator state: what <paramref name="create"/> draws (e.g. a module's initial weights)
    /// depends on the seed alone, and the caller's own random stream goes on as if nothing had been drawn.
    /// </summary>
    public static T WithTorchSeed<T>(long seed, Func<T> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        using var callerState = TorchSharp.torch.random.get_rng_state();
        TorchSharp.torch.random.manual_seed(seed);
        try
        {
            return create();
        }
        finally
        {
            TorchSharp.torch.random.set_rng_state(callerState);
        }
    }

    /// <summary>
    /// Seeds libtorch's global generators for the random draws (dropout) of work on <paramref name="device"/>: the CPU's,
    /// and on CUDA every GPU's as well.
    /// </summary>
    internal static void SeedGlobalGenerators(long seed, TorchSharp.torch.Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        TorchSharp.torch.manual_seed(seed);
        if (device.type == TorchSharp.DeviceType.CUDA)
        {
            // Whether manual_seed reaches the GPUs' generators depends on TorchSharp's native build; dropout on CUDA draws
            // from them, so they are seeded by name for a run (and a resumed one) to follow its seed.
            TorchSharp.torch.cuda.manual_seed_all(seed);
        }
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
