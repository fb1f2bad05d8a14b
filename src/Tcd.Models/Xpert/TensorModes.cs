using static TorchSharp.torch;

namespace Tcd.Models.Xpert;

/// <summary>
/// Mode-n algebra on N-way tensors: unfolding (matricisation), folding and the n-mode product, all as single
/// tensor operations on the input's device and dtype.
/// </summary>
/// <remarks>
/// Unfoldings follow tensorly's convention: the columns of X_(n) run over the remaining modes in their original
/// order with the last mode varying fastest (Kolda and Bader order the columns the other way round; the column
/// order changes no singular vectors).
/// </remarks>
internal static class TensorModes
{
    /// <summary>Mode-n unfolding X_(n) of shape [I_n, ∏_{k≠n} I_k].</summary>
    /// <param name="tensor">A tensor with at least one dimension.</param>
    /// <param name="mode">0-based mode n.</param>
    public static Tensor Unfold(Tensor tensor, int mode)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckMode(tensor, mode, nameof(mode));
        return tensor.movedim(source: [mode], destination: [0]).reshape(tensor.shape[mode], -1);
    }

    /// <summary>Inverse of <see cref="Unfold"/>: rebuilds the tensor of shape <paramref name="shape"/> from X_(n).</summary>
    /// <param name="unfolded">Matrix of shape [shape[n], ∏_{k≠n} shape[k]].</param>
    /// <param name="mode">0-based mode n the matrix was unfolded along.</param>
    /// <param name="shape">Shape of the folded tensor.</param>
    public static Tensor Fold(Tensor unfolded, int mode, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(unfolded);
        ArgumentNullException.ThrowIfNull(shape);
        if (mode < 0 || mode >= shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Mode must be in 0..{shape.Length - 1} for a {shape.Length}-way shape.");
        }

        var movedShape = shape.Take(mode).Concat(shape.Skip(mode + 1)).Prepend(shape[mode]).ToArray();
        return unfolded.reshape(movedShape).movedim(source: [0], destination: [mode]);
    }

    /// <summary>
    /// n-mode product X ×_n M: every mode-n fibre of X is multiplied by M, so mode n of the result has size J.
    /// </summary>
    /// <param name="tensor">Tensor X with I_n = size of mode n.</param>
    /// <param name="matrix">Matrix M of shape [J, I_n].</param>
    /// <param name="mode">0-based mode n.</param>
    public static Tensor ModeProduct(Tensor tensor, Tensor matrix, int mode)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(matrix);
        CheckMode(tensor, mode, nameof(mode));
        if (matrix.dim() != 2 || matrix.shape[1] != tensor.shape[mode])
        {
            throw new ArgumentException(
                $"The mode-{mode} product needs a matrix of shape [J, {tensor.shape[mode]}] (mode {mode} has size " +
                $"{tensor.shape[mode]}), but the matrix has shape [{string.Join(", ", matrix.shape)}].",
                nameof(matrix));
        }

        return ContractMode(tensor, matrix.mT, mode);
    }

    /// <summary>X ×_n Fᵀ for a factor F of shape [I_n, R_n]: projects mode n onto the columns of F.</summary>
    internal static Tensor ProjectMode(Tensor tensor, Tensor factor, int mode) => ContractMode(tensor, factor, mode);

    /// <summary>Contracts mode n of the tensor with the rows of <paramref name="right"/> ([I_n, J]).</summary>
    private static Tensor ContractMode(Tensor tensor, Tensor right, int mode)
    {
        using var scope = NewDisposeScope();
        return tensor.movedim(source: [mode], destination: [-1]).matmul(right).movedim(source: [-1], destination: [mode]).MoveToOuterDisposeScope();
    }

    private static void CheckMode(Tensor tensor, int mode, string parameterName)
    {
        if (mode < 0 || mode >= tensor.dim())
        {
            throw new ArgumentOutOfRangeException(parameterName, mode, $"Mode must be in 0..{tensor.dim() - 1} for a {tensor.dim()}-way tensor.");
        }
    }
}
