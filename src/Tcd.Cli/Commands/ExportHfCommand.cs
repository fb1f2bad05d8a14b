using System.CommandLine;
using System.Text.Json.Nodes;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;

namespace Tcd.Cli.Commands;

/// <summary><c>tcd export-hf</c>: a saved model folder to a Hugging Face checkpoint folder.</summary>
internal sealed class ExportHfCommand : TcdCommand<ExportHfSettings>
{
    private readonly Option<string?> model;
    private readonly Option<string?> output;
    private readonly Option<bool> noTokenizer;

    public ExportHfCommand()
        : base("export-hf", "Export a saved model (masked LM, sequence classifier or bare encoder; vanilla or MoE) as a Hugging Face checkpoint folder: config.json, model.safetensors and the tokenizer files.")
    {
        model = Add(CliOptions.Optional<string?>("--model", "The model (required): a model folder or the --out folder of 'tcd pretrain' / 'tcd distill' / 'tcd finetune'."));
        output = Add(CliOptions.Optional<string?>("--out", "The Hugging Face checkpoint folder to write (required): a new or empty folder, or that of an earlier export, whose checkpoint and tokenizer files are replaced."));
        noTokenizer = Add(CliOptions.WithDefault("--no-tokenizer", "Leave out vocab.txt and the tokenizer configuration.", false));
    }

    public override int Execute(ExportHfSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureAvailable();
        cancellationToken.ThrowIfCancellationRequested();
        var options = new HuggingFaceExportOptions { IncludeTokenizer = settings.IncludeTokenizer, Tokenizer = Tokenizer(settings) };
        var saved = BertModelStore.KindOf(settings.Model);
        string kind;
        using (var output = StagedOutput.ForFolder(settings.Output, HuggingFaceExporter.CheckpointFileNames))
        {
            if (saved == SavedModelKind.SequenceClassifier)
            {
                using var classifier = BertModelStore.LoadSequenceClassification(settings.Model);
                if (ClassNamesFile.Find(settings.Model, classifier.NumLabels) is var (names, source))
                {
                    options = options with { LabelNames = names };
                    console.Line($"tcd export-hf: class names of {source}: {string.Join(", ", names)}");
                }

                kind = Writing("sequence classifier");
                HuggingFaceExporter.Save(classifier, output.Path, options);
            }
            else if (saved == SavedModelKind.MaskedLanguageModel)
            {
                using var maskedLm = BertModelStore.LoadMaskedLm(settings.Model);
                kind = Writing("masked LM");
                HuggingFaceExporter.Save(maskedLm, output.Path, options);
            }
            else
            {
                using var encoder = BertModelStore.LoadBertModel(settings.Model);
                kind = Writing("encoder");
                HuggingFaceExporter.Save(encoder, output.Path, options);
            }

            // HuggingFaceExporter.CheckpointFileNames leads with config.json, which marks the folder as an export that a
            // later one may replace, so that an export killed while its files are moved in can be made again.
            output.Commit(cancellationToken);
        }

        console.Line($"tcd export-hf: {kind} {settings.Model} exported to {settings.Output}");
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(settings.Output, HuggingFaceCheckpoint.ConfigFileName)))!;
        var architecture = written["architectures"]![0]!.GetValue<string>();
        console.Line(written["model_type"]!.GetValue<string>() == HuggingFaceCheckpoint.MoeModelType
            ? $"tcd export-hf: {architecture} is this library's stacked-expert layout (docs/huggingface-interop.md): transformers cannot run it; 'tcd import-hf' reads it back"
            // Forward slashes keep a Windows path valid inside a Python string literal.
            : $"tcd export-hf: in Python: transformers.{architecture}.from_pretrained(\"{settings.Output.Replace('\\', '/')}\")");
        return 0;

        // Called once the model is read, before the costly write: a stop that comes later is seen by the commit.
        string Writing(string what)
        {
            cancellationToken.ThrowIfCancellationRequested();
            console.Line($"tcd export-hf: exporting {what} {settings.Model} to {settings.Output}");
            return what;
        }
    }

    /// <summary>
    /// The model's own tokenizer (an imported one's), else the built-in uncased one that tcd trains with; null with
    /// --no-tokenizer. Refused when it is malformed or its size is not the model's (which would make transformers' ids
    /// wrong), with --no-tokenizer as the way to export the weights alone.
    /// </summary>
    private static BertTextEncoder? Tokenizer(ExportHfSettings settings)
    {
        if (!settings.IncludeTokenizer)
        {
            return null;
        }

        try
        {
            return BertTextEncoder.ForModelFolder(settings.Model);
        }
        catch (InvalidDataException ex)
        {
            throw new CliUsageException($"--model: {ex.Message} Or pass --no-tokenizer to export the weights without a tokenizer.");
        }
    }

    protected override ExportHfSettings Read(OptionReader options)
    {
        var modelFolder = ModelFolders.Resolve(options.RequirePath(model), "--model");
        if (BertModelStore.LoadConfig(modelFolder).AdapterSize is var adapterSize and > 0)
        {
            throw new CliUsageException(
                $"--model: '{modelFolder}' has Houlsby adapters (size {adapterSize}), which Hugging Face's BERT has no place for. " +
                "Export the pre-trained model, or one fine-tuned fully (tcd finetune without --adapters).");
        }

        var folder = options.RequireOutputFolder(output);
        if (!HuggingFaceExporter.CanExportInto(folder))
        {
            throw new CliUsageException(
                $"--out: '{folder}' is not empty and is no earlier export (it has no Hugging Face config.json); transformers could read its files " +
                "as part of the checkpoint. Give a new or empty folder, or the folder of an earlier export (whose checkpoint files are replaced).");
        }

        return new ExportHfSettings(modelFolder, folder, !options.Get(noTokenizer));
    }
}
