#:project ../src/Tcd.Models/Tcd.Models.csproj
#:package TorchSharp-cpu
#:property PublishAot=false
// Writes tiny checkpoints with this library's Hugging Face exporter, for tools/check_hf_export.py to load with Python
// transformers (see tests/Tcd.Models.Tests/Interop/Fixtures/README.md):
//
//   <out>/tcd-export-mlm/        BertForMaskedLM, vocabulary 1024, no tokenizer    + inputs.safetensors, tcd-logits.safetensors
//   <out>/tcd-export-cls/        BertForSequenceClassification with three labels    + inputs.safetensors, tcd-logits.safetensors
//   <out>/tcd-export-tokenizer/  BertForMaskedLM on the bundled uncased vocabulary, with the tokenizer files
//                                                                                   + tokenization.json (texts and this library's ids)
//
// Usage (from the repository root):  dotnet run tools/make_export_fixture.cs -- <out>
using System.Text.Json;
using Tcd.Models.Data;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using TorchSharp;
using static TorchSharp.torch;

var output = args.Length == 1 ? args[0] : throw new ArgumentException("usage: dotnet run tools/make_export_fixture.cs -- <output folder>");
var tiny = new BertConfig
{
    VocabSize = 1024, HiddenSize = 32, NumLayers = 2, NumHeads = 2, IntermediateSize = 64, MaxPositions = 64,
};
string[] labels = ["entailment", "neutral", "contradiction"];

manual_seed(20241125);
using (var maskedLm = Perturbed(new BertForMaskedLm(tiny)))
{
    var folder = Path.Combine(output, "tcd-export-mlm");
    HuggingFaceExporter.Save(maskedLm, folder, new HuggingFaceExportOptions { IncludeTokenizer = false });
    WriteInputsAndLogits(folder, inputs => maskedLm.forward(inputs.Ids, inputs.Types, inputs.Mask, EncoderTaps.None, null).Logits);
}

using (var classifier = Perturbed(new BertForSequenceClassification(tiny, numLabels: labels.Length)))
{
    var folder = Path.Combine(output, "tcd-export-cls");
    HuggingFaceExporter.Save(classifier, folder, new HuggingFaceExportOptions { IncludeTokenizer = false, LabelNames = labels });
    WriteInputsAndLogits(folder, inputs => classifier.forward(inputs.Ids, inputs.Types, inputs.Mask, EncoderTaps.None).Logits);
}

var encoder = BertTextEncoder.CreateUncased();
using (var withVocabulary = new BertForMaskedLm(tiny with { VocabSize = encoder.VocabularySize }))
{
    var folder = Path.Combine(output, "tcd-export-tokenizer");
    HuggingFaceExporter.Save(withVocabulary, folder);
    string[][] texts =
    [
        ["Hello, world!"],
        ["The quick brown fox jumps over the lazy dog.", "A dog sleeps."],
        ["Unaffable naïveté — CAFÉ déjà vu", "don't   stop\tbelieving"],
        ["Tokyo 東京 1,234.56 $99 e-mail@example.com"],
        ["supercalifragilisticexpialidocious antidisestablishmentarianism"],
    ];
    var ids = texts.Select(pair => encoder.Encode(pair[0], pair.Length > 1 ? pair[1] : null, maxSequenceLength: 64)).ToArray();
    File.WriteAllText(Path.Combine(folder, "tokenization.json"), JsonSerializer.Serialize(new
    {
        texts,
        input_ids = ids.Select(row => row.InputIds),
        token_type_ids = ids.Select(row => row.TokenTypeIds),
    }));
}

Console.WriteLine($"wrote {output}");

// A fresh model has zero biases and unit LayerNorms; perturbing every parameter makes a tensor written under the wrong
// name (or not at all) change the logits.
static T Perturbed<T>(T model) where T : TorchSharp.torch.nn.Module
{
    using var noGrad = no_grad();
    // An explicit Scalar: one made by an implicit conversion can be freed by the GC while libtorch reads it (CONTRIBUTING.md).
    using var scale = 0.05.ToScalar();
    foreach (var parameter in model.parameters())
    {
        parameter.add_(randn_like(parameter), scale);
    }

    model.eval();
    return model;
}

// Two rows of 12 tokens, the second padded after 7, as tools/make_parity_fixture.py builds them.
static void WriteInputsAndLogits(string folder, Func<(Tensor Ids, Tensor Types, Tensor Mask), Tensor> logitsOf)
{
    using var scope = NewDisposeScope();
    using var noGrad = no_grad();
    var generator = new TorchSharp.torch.Generator(20241126);
    var ids = randint(104, 1024, [2, 12], dtype: ScalarType.Int64, generator: generator);
    ids[.., 0] = tensor(101L);
    ids[0, 6] = tensor(102L);
    ids[0, 11] = tensor(102L);
    ids[1, 6] = tensor(102L);
    ids[1, 7..] = tensor(0L);
    var types = zeros_like(ids);
    types[0, 7..] = tensor(1L);
    var mask = ones_like(ids);
    mask[1, 7..] = tensor(0L);
    var inputs = (ids, types, mask);
    SafeTensorsFile.Write(Path.Combine(folder, "inputs.safetensors"),
        new Dictionary<string, Tensor> { ["input_ids"] = ids, ["token_type_ids"] = types, ["attention_mask"] = mask });
    SafeTensorsFile.Write(Path.Combine(folder, "tcd-logits.safetensors"), new Dictionary<string, Tensor> { ["logits"] = logitsOf(inputs).contiguous() });
}
