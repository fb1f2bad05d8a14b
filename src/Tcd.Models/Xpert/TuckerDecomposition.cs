using Tcd.Models.Runtime;
using static TorchSharp.torch;

namespace Tcd.Models.Xpert;

/// <summary>
/// Tucker decomposition of N-way tensors: truncated HOSVD initialisation refined by higher-order orthogonal
/// iteration (HOOI), the algorithm of tensorly's <c>tucker</c> (De Lathauwer, De Moor and Vandewalle, 2000).
/// </summary>
/// <remarks>
/// Everything is computed in float64 on the input's device, whatever the input dtype: a <see cref="TuckerOptions.Tolerance"/>
/// of ~1e-8 would otherwise drown in float32 round-off (~1e-7). Core and factors come back in the input dtype.
/// Results are deterministic: each singular vector is signed so that its largest-magnitude entry is positive.
/// </remarks>
public static class TuckerDecomposition
{
    /// <summary>
    /// Below this relative error the shortcut ‖X − X̂‖² = ‖X‖² − ‖G‖² (exact for orthonormal factors) loses its
    /// digits to cancellation, so the error is recomputed from the explicit residual.
    /// </summary>
    private const double ExplicitResidualBelow = 1e-6;

    /// <summary>
    /// Decomposes <paramref name="tensor"/> into a core of shape <paramref name="ranks"/> and one factor with
    /// orthonormal columns per mode.
    /// </summary>
    /// <param name="tensor">Floating-point tensor with N ≥ 2 modes, finite values; any device.</param>
    /// <param name="ranks">Multilinear rank R_n per mode, each in 1..I_n.</param>
    /// <param name="options">Iteration settings; null uses the defaults of <see cref="TuckerOptions"/>.</param>
    /// <param name="progress">Receives a report after each HOOI sweep.</param>
    /// <param name="cancellationToken">Checked before each factor update.</param>
    /// <remarks>When every rank equals its mode's size the HOSVD is exact and no HOOI sweep runs.</remarks>
    public static TuckerResult Decompose(
        Tensor tensor,
        long[] ranks,
        TuckerOptions? options = null,
        IProgress<TuckerProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(ranks);
        options ??= new TuckerOptions();
        options.Validate();
        ValidateTensor(tensor, nameof(tensor));
        ValidateRanks(tensor.shape, ranks, nameof(ranks));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor.detach().to(ScalarType.Float64);
        var squaredNorm = x.pow(TorchScalars.Two).sum().item<double>();
        var modes = ranks.Length;

        var factors = new Tensor[modes];
        for (var mode = 0; mode < modes; mode++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            factors[mode] = LeadingLeftSingularVectors(TensorModes.Unfold(x, mode), ranks[mode], options.GramSwitchRatio);
        }

        var core = ProjectAllModes(x, factors, skipMode: -1);
        var error = RelativeError(x, squaredNorm, core, factors);
        var history = new List<double>();
        // With every rank the size of its mode the factors are square orthogonal matrices, so the HOSVD is exact and a
        // sweep could only rotate the bases (minutes at BERT-base size for nothing).
        var converged = ranks.SequenceEqual(tensor.shape);
        for (var iteration = 1; iteration <= options.MaxIterations && !converged; iteration++)
        {
            using var sweep = NewDisposeScope();
            for (var mode = 0; mode < modes; mode++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var projected = ProjectAllModes(x, factors, skipMode: mode);
                var updated = LeadingLeftSingularVectors(TensorModes.Unfold(projected, mode), ranks[mode], options.GramSwitchRatio);
                factors[mode].Dispose();
                factors[mode] = updated.MoveToOuterDisposeScope();
                if (mode == modes - 1)
                {
                    // Every other mode is already projected onto this sweep's factors, so the last projection
                    // yields the new core with one more mode product.
                    core.Dispose();
                    core = TensorModes.ProjectMode(projected, factors[mode], mode).MoveToOuterDisposeScope();
                }
            }

            var previous = error;
            error = RelativeError(x, squaredNorm, core, factors);
            history.Add(error);
            converged = Math.Abs(previous - error) < options.Tolerance;
            progress?.Report(new TuckerProgress(iteration, options.MaxIterations, error, previous - error));
        }

        var dtype = tensor.dtype;
        var result = new TuckerResult(
            core.to(dtype).MoveToOuterDisposeScope(),
            factors.Select(factor => factor.to(dtype).MoveToOuterDisposeScope()).ToArray(),
            error,
            history,
            converged);
        return result;
    }

    /// <summary>
    /// Decomposes the stacked FFN weights of E experts so that up- and down-projection share one d_ff basis
    /// (and one d_model basis), as XPERT needs to initialise a dense FFN from the factors.
    /// </summary>
    /// <remarks>
    /// The down-projection is transposed to [E, d_ff, d_model] and concatenated with the up-projection along the
    /// expert mode, giving one [2E, d_ff, d_model] tensor whose Tucker factors for modes 1 and 2 serve both
    /// matrices; rows 0..E−1 of the expert-mode factor belong to the up-projection, rows E..2E−1 to the
    /// down-projection. Stacking along the expert mode (rather than a new 4th mode) keeps the problem 3-way and
    /// lets the expert-mode rank R_E ≤ 2E couple up- and down-projection experts that behave alike.
    /// </remarks>
    /// <param name="upProjection">Up-projection weights [E, d_ff, d_model] (stacked <c>nn.Linear(d_model, d_ff)</c> weights).</param>
    /// <param name="downProjection">Down-projection weights [E, d_model, d_ff] (stacked <c>nn.Linear(d_ff, d_model)</c> weights).</param>
    /// <param name="ranks">[R_E, R_ff, R_model] with R_E in 1..2E, R_ff in 1..d_ff, R_model in 1..d_model.</param>
    /// <param name="options">Iteration settings; null uses the defaults of <see cref="TuckerOptions"/>.</param>
    /// <param name="progress">Receives a report after each HOOI sweep.</param>
    /// <param name="cancellationToken">Checked before each factor update.</param>
    public static ExpertPairTuckerResult DecomposeExpertPair(
        Tensor upProjection,
        Tensor downProjection,
        long[] ranks,
        TuckerOptions? options = null,
        IProgress<TuckerProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upProjection);
        ArgumentNullException.ThrowIfNull(downProjection);
        ValidateExpertPair(upProjection, downProjection);

        using var noGrad = no_grad();
        using var downAsUp = downProjection.transpose(1, 2);
        using var stacked = cat([upProjection, downAsUp], dim: 0);
        return new ExpertPairTuckerResult(Decompose(stacked, ranks, options, progress, cancellationToken), upProjection, downProjection);
    }

    /// <summary>
    /// The leading <paramref name="rank"/> left singular vectors of <paramref name="matrix"/> ([I, J]), signed so
    /// that each column's largest-magnitude entry is positive.
    /// </summary>
    internal static Tensor LeadingLeftSingularVectors(Tensor matrix, long rank, double gramSwitchRatio)
    {
        using var scope = NewDisposeScope();
        var rows = matrix.shape[0];
        var columns = matrix.shape[1];
        Tensor leading;
        if (columns >= gramSwitchRatio * rows)
        {
            // eigh sorts eigenvalues ascending: the leading eigenvectors are the last columns, reversed.
            var (_, eigenvectors) = linalg.eigh(matrix.matmul(matrix.mT));
            leading = eigenvectors.narrow(dim: 1, start: rows - rank, length: rank).flip(dims: [1]);
        }
        else
        {
            // A rank above min(I, J) (tall unfolding, full-rank request) needs the full U to have enough columns.
            var (u, _, _) = linalg.svd(matrix, fullMatrices: rank > Math.Min(rows, columns));
            leading = u.narrow(dim: 1, start: 0, length: rank);
        }

        var largest = leading.abs().argmax(dim: 0, keepdim: true);
        var signs = leading.gather(dim: 0, index: largest).sign();
        return (leading * signs.masked_fill(signs.eq(TorchScalars.Zero), TorchScalars.One)).MoveToOuterDisposeScope();
    }

    /// <summary>X projected onto every factor except mode <paramref name="skipMode"/> (−1 projects all: the core).</summary>
    private static Tensor ProjectAllModes(Tensor x, Tensor[] factors, int skipMode)
    {
        using var scope = NewDisposeScope();
        var projected = x;
        for (var mode = 0; mode < factors.Length; mode++)
        {
            if (mode != skipMode)
            {
                projected = TensorModes.ProjectMode(projected, factors[mode], mode);
            }
        }

        return projected.MoveToOuterDisposeScope();
    }

    private static double RelativeError(Tensor x, double squaredNorm, Tensor core, Tensor[] factors)
    {
        if (squaredNorm == 0)
        {
            return 0;
        }

        var shortcut = Math.Sqrt(Math.Max(squaredNorm - core.pow(TorchScalars.Two).sum().item<double>(), 0) / squaredNorm);
        if (shortcut >= ExplicitResidualBelow)
        {
            return shortcut;
        }

        using var scope = NewDisposeScope();
        var residual = x - TuckerResult.Expand(core, factors);
        return Math.Sqrt(residual.pow(TorchScalars.Two).sum().item<double>() / squaredNorm);
    }

    private static void ValidateTensor(Tensor tensor, string parameterName)
    {
        if (tensor.dim() < 2)
        {
            throw new ArgumentException(
                $"Tucker decomposition needs a tensor with at least 2 modes, but got shape [{string.Join(", ", tensor.shape)}].",
                parameterName);
        }

        if (!tensor.is_floating_point())
        {
            throw new ArgumentException(
                $"Tucker decomposition needs a floating-point tensor, but got {tensor.dtype}; convert it with .to(ScalarType.Float32) first.",
                parameterName);
        }

        using var scope = NewDisposeScope();
        if (!isfinite(tensor).all().item<bool>())
        {
            throw new ArgumentException("The tensor to decompose contains NaN or infinite values.", parameterName);
        }
    }

    private static void ValidateRanks(long[] shape, long[] ranks, string parameterName)
    {
        if (ranks.Length != shape.Length)
        {
            throw new ArgumentException(
                $"Got {ranks.Length} ranks for a {shape.Length}-way tensor of shape [{string.Join(", ", shape)}]; give one rank per mode.",
                parameterName);
        }

        for (var mode = 0; mode < shape.Length; mode++)
        {
            if (ranks[mode] < 1 || ranks[mode] > shape[mode])
            {
                throw new ArgumentException(
                    $"Rank {ranks[mode]} for mode {mode} is invalid: mode {mode} has size {shape[mode]}, so its rank must be in 1..{shape[mode]}.",
                    parameterName);
            }
        }
    }

    private static void ValidateExpertPair(Tensor upProjection, Tensor downProjection)
    {
        var up = upProjection.shape;
        var down = downProjection.shape;
        if (up.Length != 3 || down.Length != 3 || up[0] != down[0] || up[1] != down[2] || up[2] != down[1])
        {
            throw new ArgumentException(
                $"Expected up-projection [E, d_ff, d_model] and down-projection [E, d_model, d_ff], but got " +
                $"[{string.Join(", ", up)}] and [{string.Join(", ", down)}].",
                nameof(downProjection));
        }

        if (upProjection.dtype != downProjection.dtype || upProjection.device_type != downProjection.device_type || upProjection.device_index != downProjection.device_index)
        {
            throw new ArgumentException(
                $"Up- and down-projection must share dtype and device, but got {upProjection.dtype} on {upProjection.device} " +
                $"and {downProjection.dtype} on {downProjection.device}.",
                nameof(downProjection));
        }
    }
}
