using System.Text.Json.Nodes;
using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Interop;

/// <summary>
/// Logits of checkpoints against those Python <c>transformers</c> computed (see Fixtures/README.md): checkpoints
/// <c>transformers</c> wrote, imported here, and checkpoints this library exported, loaded there; and against a
/// plain-Python re-implementation of <c>transformers</c>' BERT (<c>tools/reference_bert.py</c>), whose fixtures are committed.
/// </summary>
public sealed class HuggingFaceParityTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "tcd-hf-parity-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [FixtureFact("hf-tiny-bert")]
    public void Safetensors_checkpoint_reproduces_transformers_logits() =>
        AssertParity("hf-tiny-bert", HuggingFaceArchitecture.BertForMaskedLM).Dispose();

    [FixtureFact("hf-tiny-bert-bin")]
    public void Pytorch_bin_checkpoint_reproduces_transformers_logits() =>
        AssertParity("hf-tiny-bert-bin", HuggingFaceArchitecture.BertForMaskedLM).Dispose();

    [FixtureFact("hf-tiny-bert-cls")]
    public void Sequence_classification_checkpoint_reproduces_transformers_logits()
    {
        using var model = AssertParity("hf-tiny-bert-cls", HuggingFaceArchitecture.BertForSequenceClassification);
        HuggingFaceCheckpoint.Load(FixtureFactAttribute.Folder("hf-tiny-bert-cls")).LabelNames
            .Should().Equal("entailment", "neutral", "contradiction");
    }

    [Fact]
    public void Masked_lm_reproduces_the_plain_python_reference() =>
        AssertParity("reference-bert-mlm", HuggingFaceArchitecture.BertForMaskedLM).Dispose();

    [Fact]
    public void Sequence_classifier_reproduces_the_plain_python_reference() =>
        AssertParity("reference-bert-cls", HuggingFaceArchitecture.BertForSequenceClassification).Dispose();

    [Fact]
    public void Switch_moe_masked_lm_reproduces_the_plain_python_reference()
    {
        using var model = AssertParity("reference-moe-mlm", HuggingFaceArchitecture.BertForMaskedLM);
        ((BertForMaskedLm)model).Config.ExpertCount.Should().Be(4);
    }

    [Fact]
    public void Switch_moe_with_a_capacity_factor_drops_the_same_tokens_as_the_plain_python_reference()
    {
        // Tokens are dropped only while training; inference routes them all.
        using var model = AssertParity("reference-moe-capacity", HuggingFaceArchitecture.BertForMaskedLM, routeAsInTraining: true);
        ((BertForMaskedLm)model).Config.CapacityFactor.Should().Be(1.0);
    }

    [FixtureFact("tcd-export-mlm")]
    public void Masked_lm_export_is_read_by_transformers_as_this_library_computes_it() =>
        AssertExportParity("tcd-export-mlm", HuggingFaceArchitecture.BertForMaskedLM);

    [FixtureFact("tcd-export-cls")]
    public void Sequence_classifier_export_is_read_by_transformers_as_this_library_computes_it() =>
        AssertExportParity("tcd-export-cls", HuggingFaceArchitecture.BertForSequenceClassification);

    /// <summary>
    /// The fixture was written by this library's exporter and its logits computed by <c>transformers</c>; matching them
    /// here, and re-exporting to the same files, shows that today's exporter writes what <c>transformers</c> reads as we do.
    /// </summary>
    private void AssertExportParity(string fixture, HuggingFaceArchitecture architecture)
    {
        var folder = FixtureFactAttribute.Folder(fixture);
        using var model = AssertParity(fixture, architecture);
        var exported = Path.Combine(root, fixture);
        var options = new HuggingFaceExportOptions { IncludeTokenizer = false, LabelNames = HuggingFaceCheckpoint.Load(folder).LabelNames };
        switch (model)
        {
            case BertForMaskedLm maskedLm:
                HuggingFaceExporter.Save(maskedLm, exported, options);
                break;
            case BertForSequenceClassification classifier:
                HuggingFaceExporter.Save(classifier, exported, options);
                break;
        }

        JsonNode.DeepEquals(ReadJson(exported), ReadJson(folder)).Should().BeTrue("config.json must be written as it was when transformers read it");
        var expected = SafeTensorsFile.Read(Path.Combine(folder, HuggingFaceCheckpoint.SafeTensorsFileName));
        var written = SafeTensorsFile.Read(Path.Combine(exported, HuggingFaceCheckpoint.SafeTensorsFileName));
        written.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, tensor) in written)
        {
            HfCheckpoints.Same(tensor, expected[name]).Should().BeTrue($"tensor {name} must be written as it was when transformers read it");
        }
    }

    private static JsonNode ReadJson(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HuggingFaceCheckpoint.ConfigFileName)))!;

    /// <summary>Imports the fixture, checks its logits against <c>expected.safetensors</c> and returns the model.</summary>
    private static nn.Module AssertParity(string fixture, HuggingFaceArchitecture architecture, bool routeAsInTraining = false)
    {
        var folder = FixtureFactAttribute.Folder(fixture);
        var imported = HuggingFaceCheckpoint.Load(folder);
        imported.Architecture.Should().Be(architecture);
        FixtureLogits.AssertMatch(imported.Model, folder, routeAsInTraining);
        return imported.Model;
    }
}
