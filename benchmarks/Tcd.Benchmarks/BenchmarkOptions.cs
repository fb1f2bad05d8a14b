using System.Globalization;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;

namespace Tcd.Benchmarks;

/// <summary>Command-line options of the benchmark program.</summary>
internal sealed record BenchmarkOptions
{
    public const string Usage = """
        Tcd.Benchmarks: pre-training throughput (vanilla, MoE, TCD) and the Switch MoE layer against a dense FFN.

        Usage: dotnet run -c Release --project benchmarks/Tcd.Benchmarks -- [options]

          --steps N      measured optimizer steps per objective and round (default 6; --quick: 3)
          --warmup N     steps excluded at the start of every run (default 2; --quick: 1)
          --rounds N     rounds of vanilla, MoE, TCD runs, interleaved so load drift hits all three (default 2; --quick: 1)
          --repeats N    timed forward+backward repeats of the MoE layer and the dense FFN (default 15; --quick: 5)
          --experts N    experts per MoE layer (default 64; --quick: 8)
          --accumulation N  micro-batches per optimizer step (default 1); 16 is the paper's effective batch of 512, where
                         the relation losses' 4,096 tokens per step are spread over the micro-batches
                         (--profile times one micro-batch with its share of the relation sample)
          --teacher-precision fp32|bf16  number format of the TCD teacher's forward pass (default fp32; bf16 is
                         PretrainingOptions.TeacherPrecision's opt-in, fast on CPUs with AVX-512 BF16 and on GPUs)
          --threads N    libtorch intra-op threads (default: libtorch's choice; 1 is steadier on a shared machine)
          --device D     cpu, cuda, cuda:1 or auto (default cpu)
          --corpus PATH  training text of the pre-training steps, --profile and --soak
                         (default: data/corpus/enwiki-sample.txt found above the working folder)
          --skip-steps   only time the MoE layer
          --profile      per-phase breakdown of vanilla, MoE and TCD steps (forward, backward, relation losses,
                         gradient clipping + AdamW step, zero_grad, host read-back) instead of the timings above
          --skip-layer   only time the pre-training steps
          --classifier   instead: fine-tuning and prediction speed of an SST-2 classifier through mlContext.Tcd()
                         (examples/s of fine-tuning, rows/s of a batch Transform, PredictionEngine latency), vanilla and MoE
          --soak         instead: memory over a long run — a tiny model through vanilla, MoE and TCD pre-training,
                         fine-tuning and batch inference: resident memory, native memory in use (glibc's malloc),
                         managed heap and live tensors every tenth of the steps, their growth per 1000 steps and a
                         verdict (exit code 1 when a part grows)
          --soak-steps N steps of each --soak part (default 3000; memory is judged from 1000, live tensors always)
          --glue PATH    GLUE folder for --classifier and --soak (default: data/glue found above the working folder)
          --system-allocator  leave glibc's allocator as it is (default: tuned as Pretrainer does, see NativeAllocator)
          --quick        small shape (L=2, H=64, 8 experts, seq 64, batch 8) for a smoke run under a minute
          --help         this text
        """;

    public int Steps { get; init; } = 6;

    public int WarmupSteps { get; init; } = 2;

    public int Rounds { get; init; } = 2;

    public int Repeats { get; init; } = 15;

    public int? Threads { get; init; }

    public int AccumulationSteps { get; init; } = 1;

    public ComputePrecision TeacherPrecision { get; init; } = ComputePrecision.Float32;

    public string Device { get; init; } = "cpu";

    public string? CorpusPath { get; init; }

    public bool Quick { get; init; }

    public bool SkipSteps { get; init; }

    public bool SkipLayer { get; init; }

    public bool Profile { get; init; }

    public bool Classifier { get; init; }

    public string? GluePath { get; init; }

    public bool Soak { get; init; }

    /// <summary>Steps of each --soak part. Default 3000.</summary>
    public int SoakSteps { get; init; } = 3_000;

    public bool ShowHelp { get; init; }

    public bool SystemAllocator { get; init; }

    public long Seed { get; init; } = 42;

    /// <summary>The model shape: the paper's small model with 64 experts, or a tiny one for --quick.</summary>
    public BertConfig Model => Quick
        ? new BertConfig { NumLayers = 2, HiddenSize = 64, NumHeads = 2, IntermediateSize = 256, MaxPositions = 64 }
        : BertConfig.PaperSmall;

    public int? Experts { get; init; }

    public int ExpertCount => Experts ?? (Quick ? 8 : 64);

    public int SequenceLength => Quick ? 64 : 128;

    public int BatchSize => Quick ? 8 : 32;

    /// <summary>SST-2 training rows fine-tuned on by --classifier (one epoch).</summary>
    public int FineTuningRows => Quick ? 64 : 512;

    /// <summary>Timed PredictionEngine calls of --classifier.</summary>
    public int PredictionCalls => Quick ? 20 : 200;

    /// <summary>Tokens of the MoE layer timing: 128 × 128 = 16,384 (quick: 16 × 128).</summary>
    public (int Batch, int Length) LayerTokens => Quick ? (16, 128) : (128, 128);

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var options = quick ? new BenchmarkOptions { Quick = true, Steps = 3, WarmupSteps = 1, Rounds = 1, Repeats = 5 } : new BenchmarkOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            options = name switch
            {
                "--quick" => options,
                "--help" or "-h" => options with { ShowHelp = true },
                "--skip-steps" => options with { SkipSteps = true },
                "--skip-layer" => options with { SkipLayer = true },
                "--profile" => options with { Profile = true },
                "--classifier" => options with { Classifier = true },
                "--glue" => options with { GluePath = Value(args, ref i) },
                "--soak" => options with { Soak = true },
                "--soak-steps" => options with { SoakSteps = PositiveInt(name, Value(args, ref i)) },
                "--system-allocator" => options with { SystemAllocator = true },
                "--steps" => options with { Steps = PositiveInt(name, Value(args, ref i)) },
                "--warmup" => options with { WarmupSteps = NonNegativeInt(name, Value(args, ref i)) },
                "--rounds" => options with { Rounds = PositiveInt(name, Value(args, ref i)) },
                "--repeats" => options with { Repeats = PositiveInt(name, Value(args, ref i)) },
                "--experts" => options with { Experts = PositiveInt(name, Value(args, ref i)) },
                "--threads" => options with { Threads = PositiveInt(name, Value(args, ref i)) },
                "--accumulation" => options with { AccumulationSteps = PositiveInt(name, Value(args, ref i)) },
                "--teacher-precision" => options with
                {
                    TeacherPrecision = Value(args, ref i) switch
                    {
                        "fp32" => ComputePrecision.Float32,
                        "bf16" => ComputePrecision.BFloat16,
                        var other => throw new ArgumentException($"Option '{name}' takes fp32 or bf16 (got '{other}')."),
                    },
                },
                "--device" => options with { Device = Value(args, ref i) },
                "--corpus" => options with { CorpusPath = Value(args, ref i) },
                _ => throw new ArgumentException($"Unknown option '{name}'. Run with --help for the list."),
            };
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new ArgumentException($"Option '{args[i]}' needs a value. Run with --help for the list.");
        }

        return args[++i];
    }

    private static int PositiveInt(string name, string text)
    {
        var value = NonNegativeInt(name, text);
        return value > 0 ? value : throw new ArgumentException($"Option '{name}' must be at least 1 (got '{text}').");
    }

    private static int NonNegativeInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"Option '{name}' needs a whole number ≥ 0 (got '{text}').");
}
