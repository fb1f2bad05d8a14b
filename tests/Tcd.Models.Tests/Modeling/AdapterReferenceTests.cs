using Tcd.Models.Interop;
using Tcd.Models.Modeling;
using Tcd.Models.Tests.Interop;

namespace Tcd.Models.Tests.Modeling;

/// <summary>Houlsby adapters against the plain-Python reference (<c>tools/reference_bert.py</c>, fixture reference-adapter-cls).</summary>
public sealed class AdapterReferenceTests
{
    [Fact]
    public void A_classifier_with_adapters_reproduces_the_plain_python_reference()
    {
        var folder = FixtureFactAttribute.Folder("reference-adapter-cls");
        // Hugging Face's config has no adapters, so the fixture's config.json carries this library's adapter_size beside
        // transformers' keys; the model is built from both and its weights read under this library's names.
        var config = HuggingFaceCheckpoint.ReadConfig(folder) with { AdapterSize = 8 };
        using var model = new BertForSequenceClassification(config, numLabels: 3);
        BertModelStore.LoadWeights(model, folder);

        FixtureLogits.AssertMatch(model, folder);
    }
}
