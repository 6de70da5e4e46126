from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "darcha.modules.documents"
    label = "documents"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own guard, for every use of it in the process: it warns past this many
        # pixels and refuses past twice as many. Uploads are held to the limit itself.
        Image.MAX_IMAGE_PIXELS = settings.DOCUMENTS_MAX_IMAGE_PIXELS
