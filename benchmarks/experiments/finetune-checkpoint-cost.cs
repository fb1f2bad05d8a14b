#:package TorchSharp-cpu
#:project ../../src/Tcd.Models/Tcd.Models.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false
// What fine-tuning checkpoints cost at the paper-small MoE shape (106 M parameters): two steps without
// checkpoints, with a checkpoint folder (the run key's hash of the initial weights and examples, and the checkpoint
// written on cancellation after them), and a resume from it that runs the second epoch. Run from the repository root:
// dotnet run -c Release benchmarks/experiments/finetune-checkpoint-cost.cs
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using static TorchSharp.torch;

var encoder = BertTextEncoder.CreateUncased();
var examples = Enumerable.Range(0, 64).Select(i => new FineTuningExample(encoder.Encode($"sentence number {i} is about the river and the old mill near the bridge", maxSequenceLength: 32), i % 2)).ToList();
var folder = Path.Combine(Path.GetTempPath(), "tcd-finetune-checkpoint-cost-" + Guid.NewGuid().ToString("N"));

// Cancels after the first epoch's two steps, so that the run ends by writing its checkpoint (a finished run deletes it).
(double Seconds, FineTuningResult Result) Run(string? checkpoints)
{
    manual_seed(1);
    using var model = new BertForSequenceClassification(BertConfig.PaperSmall.WithExperts(64), 2);
    var tuner = new FineTuner(model, new FineTuningOptions { Epochs = 2, BatchSize = 32, LogEvery = 1, Device = "cpu", Threads = 2, CheckpointDirectory = checkpoints }, encoder.SpecialTokenIds);
    using var cancellation = new CancellationTokenSource();
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var result = tuner.Train(examples, progress: new SynchronousProgress<FineTuningProgress>(report => { if (report.Step % 2 == 0) { cancellation.Cancel(); } }), cancellationToken: cancellation.Token);
    return (clock.Elapsed.TotalSeconds, result);
}

Run(null);
Console.WriteLine($"two steps, no checkpoints: {Run(null).Seconds:F2} s");
Console.WriteLine($"two steps, then a checkpoint: {Run(folder).Seconds:F2} s");
var size = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(file => new FileInfo(file).Length);
Console.WriteLine($"checkpoint folder: {size / 1e6:F0} MB");
Console.WriteLine($"resume (hash, read, the second epoch's two steps, then its checkpoints deleted): {Run(folder).Seconds:F2} s");
if (Directory.Exists(folder))
{
    Directory.Delete(folder, recursive: true);
}
