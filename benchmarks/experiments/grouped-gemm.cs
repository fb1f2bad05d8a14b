#:package TorchSharp-cpu
#:property AllowUnsafeBlocks=true
// Would a hand-written grouped GEMM speed up the MoE experts on the CPU? (docs/benchmarks.md, lab notebook, sixth session.)
// Times a plain AVX2/FMA kernel that reads the weights in place (no packing) against libtorch's mm on the expert
// products of a paper-small MoE layer (64 experts of [128 → 512 → 128], ≈64 tokens each), one thread:
// first the same operands over and over (cache-warm), then 64 different experts' operands in turn, as in a layer.
//   dotnet run -c Release benchmarks/experiments/grouped-gemm.cs
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

if (!Fma.IsSupported)
{
    Console.WriteLine("This experiment needs AVX2 and FMA.");
    return;
}

set_num_threads(1);
manual_seed(1);
Console.WriteLine("product              shape (M×K · K×N)    warm: ours / libtorch GFLOP/s    64 experts: ours / libtorch ms");
Compare("dy·W2", 64, 512, 128, transposedA: false);
Compare("W1·xT", 512, 64, 128, transposedA: false);
Compare("dyT·a", 128, 512, 64, transposedA: true);
Compare("W1T·dhT", 128, 64, 512, transposedA: true);
Compare("4,096 tokens", 4096, 512, 128, transposedA: false, experts: 1);

static unsafe void Compare(string name, int m, int n, int k, bool transposedA, int experts = 64)
{
    var a = Enumerable.Range(0, experts).Select(_ => transposedA ? randn(k, m) : randn(m, k)).ToArray();
    var b = Enumerable.Range(0, experts).Select(_ => randn(k, n)).ToArray();
    var c = Enumerable.Range(0, experts).Select(_ => zeros(m, n)).ToArray();
    var reference = transposedA ? a[0].t().mm(b[0]) : a[0].mm(b[0]);
    Tensor Libtorch(int e) => transposedA ? a[e].t().mm(b[e]) : a[e].mm(b[e]);
    void Ours(int e) => Kernel.Multiply(m, n, k, Address(a[e]), transposedA ? 1 : k, transposedA ? m : 1, Address(b[e]), n, Address(c[e]), n);

    Ours(0);
    var error = (c[0] - reference).abs().max().item<float>();
    if (error > 1e-3f * k)
    {
        throw new InvalidOperationException($"{name}: the kernel differs from mm by {error}.");
    }

    var flops = 2.0 * m * n * k;
    var warmOurs = BestMilliseconds(_ => Ours(0), 64) / 64;
    var warmTorch = BestMilliseconds(_ => Libtorch(0).Dispose(), 64) / 64;
    var coldOurs = BestMilliseconds(Ours, experts);
    var coldTorch = BestMilliseconds(e => Libtorch(e).Dispose(), experts);
    Console.WriteLine($"{name,-20} {m}×{k} · {k}×{n,-10} {flops / warmOurs / 1e6,8:F1} / {flops / warmTorch / 1e6,-8:F1}" +
        $"{(experts > 1 ? $"{coldOurs,22:F2} / {coldTorch:F2}" : string.Empty)}");
}

static double BestMilliseconds(Action<int> run, int count)
{
    var best = double.MaxValue;
    for (var round = 0; round < 9; round++)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            run(i);
        }

        best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
    }

    return best;
}

static unsafe float* Address(Tensor tensor) => (float*)(NativeMethods.THSStorage_data_ptr(tensor.Handle) + (nint)(tensor.storage_offset() * sizeof(float)));

internal static partial class NativeMethods
{
    [DllImport("LibTorchSharp")]
    internal static extern nint THSStorage_data_ptr(nint tensor);
}

/// <summary>C[m, n] = Σ_k A(m, k) · B[k, n], with A(m, k) = a[m·aRow + k·aColumn] (so A may be transposed) and B, C row-major.</summary>
internal static unsafe class Kernel
{
    private const int Rows = 6;
    private const int Columns = 16;

    public static void Multiply(int m, int n, int k, float* a, long aRow, long aColumn, float* b, int ldb, float* c, int ldc)
    {
        if (n % Columns != 0 || m < Rows)
        {
            throw new ArgumentException($"The experiment covers N a multiple of {Columns} and M of at least {Rows} only.");
        }

        for (var column = 0; column < n; column += Columns)
        {
            for (var start = 0; start < m; start += Rows)
            {
                // The last block moves up to end at row m: rows it shares with the one before get the same values again.
                var row = Math.Min(start, m - Rows);
                SixRows(k, a + row * aRow, aRow, aColumn, b + column, ldb, c + row * ldc + column, ldc);
            }
        }
    }

    // 6 × 16 outputs stay in 12 registers over the whole K loop (the other four hold two B vectors and a broadcast).
    private static void SixRows(int k, float* a, long aRow, long aColumn, float* b, int ldb, float* c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var i = 0; i < k; i++, b += ldb)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var at = a + i * aColumn;
            var x = Vector256.Create(at[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(at[aRow]);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(at[2 * aRow]);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(at[3 * aRow]);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(at[4 * aRow]);
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(at[5 * aRow]);
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
        }

        Store(c, c00, c01);
        Store(c + ldc, c10, c11);
        Store(c + 2 * ldc, c20, c21);
        Store(c + 3 * ldc, c30, c31);
        Store(c + 4 * ldc, c40, c41);
        Store(c + 5 * ldc, c50, c51);
    }

    private static void Store(float* row, Vector256<float> left, Vector256<float> right)
    {
        Avx.Store(row, left);
        Avx.Store(row + 8, right);
    }
}
