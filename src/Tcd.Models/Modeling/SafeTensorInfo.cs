using Tcd.Models.Runtime;

namespace Tcd.Models.Modeling;

/// <summary>One tensor entry of a safetensors header.</summary>
/// <remarks>
/// Two entries are equal when their members are, <see cref="Shape"/> element by element: a record compares array members
/// by reference, which would make two reads of one header unequal.
/// </remarks>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">The safetensors dtype code (<c>F32</c>, <c>F16</c>, <c>BF16</c>, <c>F64</c>, <c>I64</c>, <c>I32</c>, <c>I8</c>, <c>U8</c>, <c>BOOL</c>).</param>
/// <param name="Shape">The tensor's shape.</param>
/// <param name="Begin">Start of its bytes, relative to the data section.</param>
/// <param name="End">End (exclusive) of its bytes, relative to the data section.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>True when <paramref name="other"/> has the same name, dtype, shape (element by element) and byte range.</summary>
    /// <param name="other">The entry to compare with; null is equal to no entry.</param>
    public bool Equals(SafeTensorInfo? other) =>
        other is not null && Name == other.Name && DType == other.DType && ArrayValues.Equal(Shape, other.Shape) && Begin == other.Begin && End == other.End;

    /// <summary>A hash of the members, the shape's elements included, so that equal entries hash alike.</summary>
    public override int GetHashCode() => HashCode.Combine(Name, DType, ArrayValues.Hash(Shape), Begin, End);
}
