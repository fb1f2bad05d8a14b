namespace Tcd.Models.Runtime;

/// <summary>
/// Value equality of array members for records, which otherwise compare arrays by reference: two records built from
/// equal arrays would be unequal.
/// </summary>
internal static class ArrayValues
{
    /// <summary>True when both arrays hold equal elements in the same order.</summary>
    public static bool Equal<T>(T[] first, T[] second)
        where T : IEquatable<T> =>
        first.AsSpan().SequenceEqual(second);

    /// <summary>A hash of the elements, alike for arrays <see cref="Equal{T}"/> calls equal.</summary>
    /// <remarks>
    /// Element by element, not over the bytes: <c>0.0</c> and <c>-0.0</c> are equal doubles with other bytes, and
    /// <see cref="double.GetHashCode"/> hashes them alike.
    /// </remarks>
    public static int Hash<T>(T[] values)
    {
        var hash = new HashCode();
        foreach (var value in values.AsSpan())
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }
}
