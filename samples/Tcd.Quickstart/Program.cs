using System.CommandLine;
using Tcd.Quickstart;
using Tcd.Samples;

var dataFolder = Path.Combine(AppContext.BaseDirectory, "data");
var preset = new Option<string>("--preset") { Description = "Model size: 'tiny' (L=2, H=64) or 'paper-small' (L=12, H=128, the paper's small model).", DefaultValueFactory = _ => "tiny" };
var steps = new Option<long>("--steps") { Description = "Pre-training steps for each of teacher, MoE and TCD student (paper: 1M at batch 512).", DefaultValueFactory = _ => 300 };
var batch = new Option<int>("--batch-size", "--batch") { Description = "Pre-training segments per step.", DefaultValueFactory = _ => 32 };
var sequence = new Option<int>("--seq-length", "--seq") { Description = "Tokens per pre-training segment (paper: 128).", DefaultValueFactory = _ => 64 };
var experts = new Option<int>("--experts") { Description = "Experts per MoE layer (paper: 64).", DefaultValueFactory = _ => 4 };
var learningRate = new Option<double>("--lr") { Description = "Peak pre-training learning rate (paper: 1e-4 at batch 512).", DefaultValueFactory = _ => 1e-3 };
var epochs = new Option<int>("--finetune-epochs") { Description = "Fine-tuning epochs per task; the best epoch on dev counts (paper: up to 10).", DefaultValueFactory = _ => 3 };
var fineTuneRate = new Option<double>("--finetune-lr") { Description = "Fine-tuning learning rate. The default suits the tiny preset, which learns nothing at the paper's grid (1e-5, 2e-5, 5e-5; use it for paper-small).", DefaultValueFactory = _ => 1e-3 };
var maxTrain = new Option<int?>("--max-train") { Description = "Cap on the training examples of each task, a fixed random sample [default: all; MRPC has 3,668, the shipped SST-2 slice 8,000]." };
var corpus = new Option<string>("--corpus") { Description = "Pre-training text (WikiExtractor or plain UTF-8): a file, or a folder read as every file under it in path order (hidden ones left out); the last document is held out for validation.", DefaultValueFactory = _ => Path.Combine(dataFolder, "corpus", "enwiki-sample.txt") };
var glue = new Option<string>("--glue") { Description = "GLUE folder holding train.tsv and dev.tsv of MRPC/ and SST-2/ (the original GLUE layout).", DefaultValueFactory = _ => Path.Combine(dataFolder, "glue") };
var output = new Option<string>("--out") { Description = "Output folder: models, checkpoints, metrics, results table and charts.", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
var device = SampleCommandLine.Device();
var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch. The tiny default model runs fastest on one (its matrices are too small to split); raise it for paper-small on an idle machine.", DefaultValueFactory = _ => 1 };
var seed = new Option<long>("--seed") { Description = "Seed of initialisation, data order, masking and dropout.", DefaultValueFactory = _ => 42 };

var root = new RootCommand(
    "Tcd.MLNet quickstart: pre-train a vanilla BERT teacher, a MoE-BERT and a TCD student on the embedded Wikipedia slice, " +
    "fine-tune all three on MRPC and SST-2, and print a table like the TCD paper's Table 1 (plus loss and score charts). " +
    "Started again with the same --out, finished pre-training runs and fine-tunings are reused and an interrupted one resumes " +
    "from its checkpoint; other pre-training options on that --out are refused, other fine-tuning options fine-tune again.")
{
    preset, steps, batch, sequence, experts, learningRate, epochs, fineTuneRate, maxTrain, corpus, glue, output, device, threads, seed,
};

root.SetAction((parse, cancellationToken) =>
{
    var settings = new QuickstartSettings
    {
        Preset = parse.GetValue(preset)!,
        PretrainSteps = parse.GetValue(steps),
        BatchSize = parse.GetValue(batch),
        SequenceLength = parse.GetValue(sequence),
        Experts = parse.GetValue(experts),
        LearningRate = parse.GetValue(learningRate),
        FineTuneEpochs = parse.GetValue(epochs),
        FineTuneLearningRate = parse.GetValue(fineTuneRate),
        MaxTrainExamples = parse.GetValue(maxTrain),
        Corpus = parse.GetValue(corpus)!,
        GlueDirectory = parse.GetValue(glue)!,
        OutputDirectory = parse.GetValue(output)!,
        Device = parse.GetValue(device)!,
        Threads = parse.GetValue(threads),
        Seed = parse.GetValue(seed),
    };
    return Task.FromResult(new QuickstartRun(settings, Console.Out, Console.Error).Execute(cancellationToken));
});

return await SampleCommandLine.InvokeAsync(root, args);
