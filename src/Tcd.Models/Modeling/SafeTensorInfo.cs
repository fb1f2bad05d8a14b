namespace Tcd.Models.Modeling;

/// <summary>One tensor entry of a safetensors header.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">The safetensors dtype code (<c>F32</c>, <c>F16</c>, <c>BF16</c>, <c>F64</c>, <c>I64</c>, <c>I32</c>, <c>I8</c>, <c>U8</c>, <c>BOOL</c>).</param>
/// <param name="Shape">The tensor's shape.</param>
/// <param name="Begin">Start of its bytes, relative to the data section.</param>
/// <param name="End">End (exclusive) of its bytes, relative to the data section.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End);
