using static TorchSharp.torch;

namespace Tcd.Models.Tests.Xpert;

/// <summary>Seeded random tensors with a known Tucker structure.</summary>
internal static class TuckerTestData
{
    public static Tensor Gaussian(long[] shape, ulong seed, ScalarType dtype = ScalarType.Float64)
    {
        using var generator = new Generator(seed);
        return randn(shape, dtype: dtype, generator: generator);
    }

    /// <summary>Random matrix [rows, columns] with orthonormal columns (Q of a Gaussian matrix's QR).</summary>
    public static Tensor Orthonormal(long rows, long columns, ulong seed)
    {
        using var scope = NewDisposeScope();
        var (q, _) = linalg.qr(Gaussian([rows, columns], seed));
        return q.MoveToOuterDisposeScope();
    }

    /// <summary>An exactly rank-(R1, R2, R3) tensor: a Gaussian core times random orthonormal factors.</summary>
    public static Tensor LowRank3Way(long[] shape, long[] ranks, ulong seed)
    {
        using var scope = NewDisposeScope();
        var core = Gaussian(ranks, seed);
        var a = Orthonormal(shape[0], ranks[0], seed + 1);
        var b = Orthonormal(shape[1], ranks[1], seed + 2);
        var c = Orthonormal(shape[2], ranks[2], seed + 3);
        return einsum("pqr,ip,jq,kr->ijk", core, a, b, c).MoveToOuterDisposeScope();
    }

    /// <summary>‖expected − actual‖ / ‖expected‖ in float64.</summary>
    public static double RelativeDistance(Tensor expected, Tensor actual)
    {
        using var scope = NewDisposeScope();
        var reference = expected.to(ScalarType.Float64);
        return (reference - actual.to(ScalarType.Float64)).norm().item<double>() / reference.norm().item<double>();
    }

    /// <summary>Largest entry of |FᵀF − I|.</summary>
    public static double OrthonormalityDefect(Tensor factor)
    {
        using var scope = NewDisposeScope();
        var f = factor.to(ScalarType.Float64);
        var gram = f.mT.matmul(f);
        return (gram - eye(f.shape[1], dtype: ScalarType.Float64)).abs().max().item<double>();
    }
}
