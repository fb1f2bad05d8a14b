#:package TorchSharp-cpu
#:project ../../src/Tcd.Models/Tcd.Models.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false
// Short tiny TCD pre-training runs (20 steps each) while another thread keeps the garbage collector busy; counts the
// runs that fail on a TorchSharp scalar freed mid-call and prints where. Run from the repository root:
// dotnet run -c Release benchmarks/experiments/scalar-gc-pretraining.cs -- 150   (seconds of runs)
// See src/Tcd.Models/Runtime/TorchScalars.cs.
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using static TorchSharp.torch;

set_num_threads(1);
var collecting = true;
new Thread(() => { while (Volatile.Read(ref collecting)) { GC.Collect(); GC.WaitForPendingFinalizers(); } }) { IsBackground = true }.Start();
var encoder = BertTextEncoder.CreateUncased();
var text = Enumerable.Repeat("the quick brown fox jumps over the lazy dog and the cat sat on the mat while it rained", 200).ToArray();
var config = BertConfig.Tiny with { HiddenSize = 32, IntermediateSize = 64, NumHeads = 2, NumLayers = 2 };
var clock = System.Diagnostics.Stopwatch.StartNew();
int runs = 0, failed = 0; long steps = 0;
while (clock.Elapsed.TotalSeconds < double.Parse(args[0]))
{
    try
    {
        var teacher = new BertForMaskedLm(config);
        var student = new BertForMaskedLm(config.WithExperts(4));
        var options = new PretrainingOptions { TotalSteps = 20, BatchSize = 8, MaxSequenceLength = 32, LogEvery = 1000, Seed = runs };
        var result = new Pretrainer(student, PretrainingObjective.TransferCapabilityDistillation(attentionWeight: 1), options, encoder, teacher.Bert).Run(TextCorpus.FromTexts(text));
        steps += result.Steps;
    }
    catch (Exception e) { failed++; Console.WriteLine($"run {runs}: {e.Message.Split((char)10)[0]}\n{string.Join((char)10, e.StackTrace!.Split((char)10).Where(l => l.Contains(" at ")).Take(4))}"); }
    runs++;
}
Volatile.Write(ref collecting, false);
Console.WriteLine($"{runs} runs, {steps} steps, {failed} failed");
