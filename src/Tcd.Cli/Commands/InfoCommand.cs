using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Tcd.Models.Interop;
using Tcd.Models.Runtime;

namespace Tcd.Cli.Commands;

/// <summary>
/// <c>tcd info</c>: what a model folder holds — kind, architecture, parameters (and those a token uses in a MoE),
/// tokenizer, recorded pre-training score and the run it came from — read from its files without loading the weights;
/// of a Hugging Face checkpoint folder, the same from its config.json and weights header, and the import that reads it.
/// </summary>
internal sealed class InfoCommand : TcdCommand<InfoSettings>
{
    /// <summary>
    /// Indented JSON that writes characters as they are: printed for a person or a script, not embedded in HTML, so
    /// escaping <c>'</c> or <c>&lt;</c> as <c>\u0027</c>, <c>\u003C</c> (System.Text.Json's default) only hides them.
    /// </summary>
    private static readonly JsonSerializerOptions ReadableJson = new(TcdJson.Indented) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Option<string?> model;
    private readonly Option<bool> json;

    public InfoCommand()
        : base("info", "Describe a saved model without loading it: kind (masked LM, classifier with its classes, encoder), architecture, experts, parameters in all and per token, tokenizer, recorded pre-training log-likelihood and the run it came from; of a Hugging Face checkpoint folder, its class, shape, parameters (a pytorch_model.bin is read whole to count them), tokenizer files and the 'tcd import-hf' that makes a model of it.")
    {
        model = Add(CliOptions.Optional<string?>("--model", "The model (required): a model folder or the --out folder of 'tcd pretrain', 'tcd distill', 'tcd finetune' or 'tcd import-hf', or a Hugging Face checkpoint folder (config.json + model.safetensors or pytorch_model.bin)."));
        json = Add(CliOptions.WithDefault("--json", "Print one JSON object instead of lines of text.", false));
    }

    public override int Execute(InfoSettings settings, CliConsole console, CancellationToken cancellationToken)
    {
        IModelDescription summary = HuggingFaceCheckpoint.IsCheckpointFolder(settings.Model)
            ? HuggingFaceSummary.Read(settings.Model)
            : ModelSummary.Read(settings.Model);
        if (settings.Json)
        {
            console.Line(summary.ToJson().ToJsonString(ReadableJson));
            return 0;
        }

        var lines = summary.Lines().ToList();
        var width = lines.Max(line => line.Label.Length);
        foreach (var (label, text) in lines)
        {
            console.Line($"{label.PadRight(width)}  {text}");
        }

        return 0;
    }

    protected override InfoSettings Read(OptionReader options) => new(options.RequireModel(model).Folder, options.Get(json));
}
