using Tcd.Models.Data;
using System.CommandLine;
using Tcd.Experiments.Glue;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;

namespace Tcd.Cli.Commands;

/// <summary><c>tcd import-hf</c>: a Hugging Face BERT checkpoint folder to a model folder the other commands read.</summary>
internal sealed class ImportHfCommand : TcdCommand<ImportHfSettings>
{
    private readonly Option<string?> source;
    private readonly Option<string?> output;
    private readonly Option<bool> encoderOnly;
    private readonly Option<long> seed;

    /// <summary>
    /// The files an import writes into its model folder, and replaces or removes in that of an earlier import, in the
    /// order they are moved in: <c>tcd-config.json</c> first, which marks the folder as an import, so that one killed
    /// while its files are moved in is an import too, which the same command makes again.
    /// </summary>
    private static readonly IReadOnlyList<string> OutputFileNames =
    [
        PretrainCommand.EffectiveConfigFileName, BertModelStore.ConfigFileName, BertModelStore.WeightsFileName, ClassNamesFile.FileName,
        GlueSuiteModel.PretrainingFileName, .. BertTextEncoder.TokenizerFileNames,
    ];

    public ImportHfCommand()
        : base("import-hf", "Import a Hugging Face BERT checkpoint (config.json + model.safetensors or pytorch_model.bin; BertModel, BertForMaskedLM, BertForPreTraining, BertForSequenceClassification or a tcd MoE export) into a model folder; with --encoder-only, the encoder of any BERT checkpoint under a new masked-LM head.")
    {
        source = Add(CliOptions.Optional<string?>("--from", "The Hugging Face checkpoint folder (required)."));
        output = Add(CliOptions.Optional<string?>("--out", $"The model folder to write (required): config.json + model.safetensors, the checkpoint's vocab.txt and tokenizer_config.json, a classifier's class names in {ClassNamesFile.FileName} and {PretrainCommand.EffectiveConfigFileName} (the effective options)."));
        encoderOnly = Add(CliOptions.WithDefault("--encoder-only",
            "Keep only the checkpoint's encoder, under a new masked-LM head (as transformers' BertForMaskedLM.from_pretrained does), so that finetune, glue, " +
            "pretrain --init and distill --init take any BERT checkpoint: BertModel, BertForTokenClassification, BertForQuestionAnswering, ....", false));
        seed = Add(CliOptions.WithDefault("--seed", "Seed of the new masked-LM head (with --encoder-only).", HuggingFaceCheckpoint.DefaultHeadSeed));
    }

    public override int Execute(ImportHfSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureAvailable();
        cancellationToken.ThrowIfCancellationRequested();
        var imported = settings.EncoderOnly ? HuggingFaceCheckpoint.LoadEncoderUnderNewMaskedLmHead(settings.Source, settings.Seed) : HuggingFaceCheckpoint.Load(settings.Source);
        using var model = imported.Model;
        // The checkpoint's own tokenizer travels with it (every tcd command reads <model>/vocab.txt and its
        // tokenizer_config.json), and an earlier import's goes.
        var tokenizer = BertTextEncoder.ForModelFolder(settings.Source);
        cancellationToken.ThrowIfCancellationRequested();
        console.Line($"tcd import-hf: read {imported.ArchitectureName} from {settings.Source}; writing {settings.Output}");
        using (var output = StagedOutput.ForFolder(settings.Output, OutputFileNames))
        {
            WriteEffectiveConfig(Path.Combine(output.Path, PretrainCommand.EffectiveConfigFileName), settings.EffectiveOptions);
            BertModelStore.Save(model, imported.Config, output.Path);
            if (imported.LabelNames is { } classNames)
            {
                ClassNamesFile.Write(output.Path, classNames);
            }

            tokenizer.SaveTokenizerFiles(output.Path);
            // An earlier import's files that this one has not (its class names, a held-out score, which a model
            // imported over it has not earned) go with the rest of it.
            output.Commit(cancellationToken);
        }

        if (imported.LabelNames is { } names)
        {
            console.Line($"tcd import-hf: classes (id2label): {string.Join(", ", names)}");
        }

        console.Line(File.Exists(Path.Combine(settings.Source, BertTextEncoder.VocabularyFileName))
            ? $"tcd import-hf: tokenizer: {BertTextEncoder.VocabularyFileName} ({tokenizer.VocabularySize} tokens), {tokenizer.Settings}"
            : $"tcd import-hf: note: {settings.Source} has no {BertTextEncoder.VocabularyFileName}, so the model gets the built-in BERT uncased vocabulary; " +
              $"if it was trained with another one, copy that {BertTextEncoder.VocabularyFileName} (and its {BertTokenizerSettings.FileName}) into {settings.Output}");
        foreach (var note in imported.Notes)
        {
            console.Line($"tcd import-hf: note: {note}");
        }

        console.Line(settings.EncoderOnly
            ? $"tcd import-hf: the encoder of {imported.ArchitectureName} from {settings.Source}, under a new masked-LM head, saved to {settings.Output}"
            : $"tcd import-hf: {imported.ArchitectureName} from {settings.Source} saved to {settings.Output}");
        if (imported.Model is BertModel)
        {
            console.Line($"tcd import-hf: note: the model has no head, so only export-hf reads {settings.Output}; to fine-tune it or train it further, " +
                         "import it again with --encoder-only, which gives it a new masked-LM head.");
        }
        return 0;
    }

    protected override ImportHfSettings Read(OptionReader options)
    {
        var folder = options.RequireRunFolder(output);
        if (BertModelStore.FindModelFolder(folder) is { } runModel && Path.GetFullPath(runModel) != Path.GetFullPath(folder))
        {
            throw new CliUsageException(
                $"--out: '{folder}' is a run folder (its model is in '{runModel}'); imported beside it, the model would be the one '--model {folder}' loads " +
                "from then on. Give the imported model a folder of its own.");
        }

        var checkpoint = options.RequirePath(source);
        if (!File.Exists(Path.Combine(checkpoint, BertModelStore.ConfigFileName)) && BertModelStore.FindModelFolder(checkpoint) is { } modelInRun)
        {
            // Said plainly: the checkpoint reader would only report a missing config.json.
            throw new CliUsageException(
                $"--from: '{checkpoint}' is a tcd run folder, not a Hugging Face checkpoint; its model ('{modelInRun}') needs no import: " +
                "give the run folder to the other commands as it is ('tcd export-hf' writes a Hugging Face checkpoint of it).");
        }

        if (RunFolderGuard.Relation(folder, checkpoint) is { } relation)
        {
            // The model folder's config.json and model.safetensors would replace the checkpoint's before it is read whole.
            throw new CliUsageException(
                $"--out: '{folder}' {(relation == "is" ? "is the --from folder" : "and the --from folder lie one inside the other")}; " +
                "the import would overwrite the checkpoint it reads. Give --out a folder of its own, outside the checkpoint.");
        }

        if (File.Exists(Path.Combine(folder, BertModelStore.ConfigFileName)) && RunFolderGuard.MadeBy(folder) != Command.Name)
        {
            // Only an earlier import can be made again from its checkpoint; any other saved model may be the only copy of a training run.
            throw new CliUsageException(
                $"--out: '{folder}' holds a saved model that no 'tcd import-hf' wrote (a run's model, a checkpoint, or an import of an older version), " +
                "which the import would overwrite; choose a new or empty folder for --out, or delete that model first.");
        }

        return new ImportHfSettings(checkpoint, folder, options.Get(encoderOnly), options.Get(seed), options.Resolved);
    }
}
