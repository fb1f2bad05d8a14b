#:package TorchSharp-cpu
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// TorchSharp 0.107 frees a Scalar's native value in its finalizer. A scalar made by an implicit conversion is garbage
// once its handle has been passed on, so a garbage collection during the native call can free it while libtorch reads
// it. This program calls a one-line tensor op millions of times while another thread collects garbage, and counts the
// calls that fail, for three ways of passing the scalar. Run: dotnet run -c Release benchmarks/experiments/scalar-gc-race.cs
// (about two and a half minutes). See src/Tcd.Models/Runtime/TorchScalars.cs.
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

set_num_threads(1);
using var x = ones(4);
var collecting = true;
var collector = new Thread(() =>
{
    while (Volatile.Read(ref collecting))
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}) { IsBackground = true };
collector.Start();

Measure("t.mul(0.5)       implicit conversion", () => x.mul(0.5));
Measure("t * 0.5          operator, converts inside TorchSharp", () => x * 0.5);
Measure("t.mul(held)      using var held = 0.5.ToScalar()", () =>
{
    using var held = 0.5.ToScalar();
    return x.mul(held);
});
Volatile.Write(ref collecting, false);

void Measure(string name, Func<Tensor> operation)
{
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long calls = 0, failures = 0, wrong = 0;
    while (clock.Elapsed.TotalSeconds < 45)
    {
        for (var i = 0; i < 1000; i++, calls++)
        {
            try
            {
                using var result = operation();
                if (result[0].item<float>() != 0.5f)
                {
                    wrong++;
                }
            }
            catch (ExternalException)
            {
                failures++;
            }
        }
    }

    Console.WriteLine($"{name}: {calls:N0} calls, {failures} failed, {wrong} wrong results");
}
