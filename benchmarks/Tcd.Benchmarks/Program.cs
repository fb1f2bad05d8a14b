using System.Globalization;
using System.Runtime.InteropServices;
using Tcd.Benchmarks;
using Tcd.Models.Data;
using Tcd.Models.Runtime;
using TorchSharp;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;

}

TorchRuntime.EnsureAvailable();
if (options.Threads is { } threads)
{
    torch.set_num_threads(threads);
}

var allocatorTuned = !options.SystemAllocator && NativeAllocator.KeepFreedMemoryForReuse();
var device = TorchRuntime.ResolveDevice(options.Device);
var model = options.Model;
Console.WriteLine($"Tcd.Benchmarks {(options.Soak ? "(memory soak)" : options.Quick ? "(quick shape)" : "(paper-small shape)")}");
Console.WriteLine($"  machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}; " +
                  $"device {device}; libtorch threads {torch.get_num_threads()}; .NET {Environment.Version}; " +
                  $"native allocator {(allocatorTuned ? "tuned (freed memory kept for reuse)" : "as the system set it")}");
if (!options.Soak)
{
    Console.WriteLine($"  model: L={model.NumLayers} H={model.HiddenSize} A={model.NumHeads} FFN={model.IntermediateSize}, {options.ExpertCount} experts, " +
                      $"seq {options.SequenceLength}, batch {options.BatchSize} x {options.AccumulationSteps} micro-batch(es) per step; TCD teacher in {options.TeacherPrecision}; seed {options.Seed}");
}

if (options.Classifier)
{
    Console.WriteLine();
    new ClassifierSpeed(options, options.GluePath ?? FindData("data/glue", "--glue")).Run(Console.WriteLine);
    return 0;
}

if (options.Soak)
{
    Console.WriteLine();
    var flat = new MemorySoak(options, BertTextEncoder.CreateUncased(), TextCorpus.FromFiles(options.CorpusPath ?? FindCorpus()), options.GluePath ?? FindData("data/glue", "--glue"))
        .Run(Console.WriteLine);
    return flat ? 0 : 1;
}

if (options.Profile)
{
    var corpusPath = options.CorpusPath ?? FindCorpus();
    Console.WriteLine();
    Console.WriteLine($"Step profile on {corpusPath}: {options.Steps} measured steps per objective after {options.WarmupSteps} warm-up steps, medians per phase");
    new StepProfiler(options, BertTextEncoder.CreateUncased(), TextCorpus.FromFiles(corpusPath)).Run(Console.WriteLine, device);
    return 0;
}

var targets = new List<SpeedTarget>();
if (!options.SkipLayer)
{
    var (batch, length) = options.LayerTokens;
    Console.WriteLine();
    Console.WriteLine($"MoE layer vs dense FFN: forward + backward over {batch * length} tokens ({batch} x {length}), {options.Repeats} repeats each, alternating");
    var (moeTimings, denseTimings) = new MoeLayerTiming(options).Measure(device);
    PrintTimings($"SwitchMoeLayer ({options.ExpertCount} experts)", moeTimings);
    PrintTimings("dense FFN (one expert's shape)", denseTimings);
    targets.Add(new SpeedTarget(
        "MoE layer / dense FFN",
        Median(moeTimings, t => t.WallSeconds) / Median(denseTimings, t => t.WallSeconds),
        Median(moeTimings, t => t.CpuSeconds) / Median(denseTimings, t => t.CpuSeconds),
        1.30));
}

if (!options.SkipSteps)
{
    var corpusPath = options.CorpusPath ?? FindCorpus();
    Console.WriteLine();
    Console.WriteLine($"Pre-training steps through Pretrainer on {corpusPath}: {options.Rounds} round(s) x {options.Steps} measured steps " +
                      $"per objective ({options.WarmupSteps} warm-up steps per run excluded)");
    var throughput = new PretrainingThroughput(options, BertTextEncoder.CreateUncased(), TextCorpus.FromFiles(corpusPath));
    var (vanilla, moe, tcd) = throughput.Measure(Console.WriteLine);
    PrintRates("vanilla step", vanilla);
    PrintRates("MoE step", moe);
    PrintRates("TCD step", tcd);
    // Steps process the same number of tokens, so the step-time ratio is the inverse throughput ratio. It is taken
    // within each round, whose runs follow each other within a minute or two, and the median over rounds is judged:
    // the load of a shared machine drifts between rounds far more than within one.
    SpeedTarget Slowdown(string name, List<StepSample> slower, List<StepSample> faster, double limit)
    {
        var rounds = Enumerable.Range(1, options.Rounds).ToList();
        double InRound(int round, Func<StepSample, double> rate) =>
            Median(faster.Where(s => s.Round == round), rate) / Median(slower.Where(s => s.Round == round), rate);
        var perRound = rounds.Select(r => InRound(r, s => s.TokensPerSecond)).ToList();
        Console.WriteLine($"  {name} by round (wall): " + string.Join(", ", perRound.Select(r => r.ToString("F2", CultureInfo.InvariantCulture) + "x")));
        return new SpeedTarget(name, Statistics.Median(perRound), Statistics.Median(rounds.Select(r => InRound(r, s => s.TokensPerCpuSecond)).ToList()), limit);
    }

    var moeSlowdown = Slowdown("MoE step / vanilla step", moe, vanilla, 1.25);
    var tcdSlowdown = Slowdown("TCD step / MoE step", tcd, moe, 1.35);
    Console.WriteLine($"  throughput ratios (wall): MoE/vanilla {1 / moeSlowdown.WallRatio:F3}, TCD/MoE {1 / tcdSlowdown.WallRatio:F3}");
    Console.WriteLine($"  throughput ratios (CPU):  MoE/vanilla {1 / moeSlowdown.CpuRatio:F3}, TCD/MoE {1 / tcdSlowdown.CpuRatio:F3}");
    targets.Add(moeSlowdown);
    targets.Add(tcdSlowdown);
}

Console.WriteLine();
Console.WriteLine("Targets (slowdown = slower time / faster time):");
foreach (var target in targets)
{
    Console.WriteLine($"  {target}");
}

return 0;

static double Median<T>(IEnumerable<T> items, Func<T, double> value) => Statistics.Median(items.Select(value).ToList());

static void PrintTimings(string name, List<Timing> timings)
{
    var wall = timings.Select(t => t.WallSeconds).ToList();
    Console.WriteLine($"  {name,-32} median {Statistics.Median(wall) * 1000,8:F1} ms wall (±{Statistics.RelativeSpread(wall):P0}), " +
                      $"{Median(timings, t => t.CpuSeconds) * 1000,8:F1} ms CPU");
}

static void PrintRates(string name, List<StepSample> samples)
{
    var wall = samples.Select(s => s.TokensPerSecond).ToList();
    Console.WriteLine($"  {name,-14} median {Statistics.Median(wall),8:F0} tokens/s wall (±{Statistics.RelativeSpread(wall):P0}, {wall.Count} steps), " +
                      $"{Median(samples, s => s.TokensPerCpuSecond),8:F0} tokens/CPU-s{PretrainingThroughput.PageFaultText(samples)}");
}

static string FindCorpus() => FindData("data/corpus/enwiki-sample.txt", "--corpus");

static string FindData(string relative, string option)
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, relative);
            if (File.Exists(candidate) || Directory.Exists(candidate))
            {
                return candidate;
            }
        }
    }

    throw new FileNotFoundException($"Could not find {relative} above the working folder; pass {option} PATH.");
}
