using System.Globalization;

namespace Tcd.Benchmarks;

/// <summary>
/// A slowdown (slower time ÷ faster time) measured by wall clock and by this process's CPU time, and the most the
/// project accepts. The verdict uses the wall clock; the CPU figure shows what it would be on an idle machine.
/// </summary>
internal sealed record SpeedTarget(string Name, double WallRatio, double CpuRatio, double Limit)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name,-32} {WallRatio,6:F2}x wall ({CpuRatio:F2}x CPU)   target <= {Limit:F2}x   {(WallRatio <= Limit ? "PASS" : "MISS")}");
}
