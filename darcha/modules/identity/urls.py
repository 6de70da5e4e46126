from django.urls import path

from darcha.modules.identity import views

app_name = "identity"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.sign_in_code, name="code"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("register/", views.register, name="register"),
    path("register/code/", views.register_code, name="register-code"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/entity/switch", views.entity_switch, name="entity-switch"),
    path("cabinet/sessions/", views.sessions, name="sessions"),
    path("cabinet/sessions/revoke", views.session_revoke, name="session-revoke"),
    path("cabinet/sessions/revoke-others", views.session_revoke_others, name="session-revoke-others"),
    path("cabinet/settings/", views.settings_page, name="settings"),
    path("cabinet/settings/language", views.settings_language, name="settings-language"),
    path("cabinet/settings/notifications", views.settings_channels, name="settings-channels"),
    path("cabinet/settings/consents", views.settings_consent, name="settings-consent"),
    path("cabinet/contacts/", views.contacts, name="contacts"),
    path("cabinet/contacts/phone", views.contacts_phone, name="contacts-phone"),
    path("cabinet/contacts/phone/confirm", views.contacts_phone_confirm, name="contacts-phone-confirm"),
    path("cabinet/contacts/email", views.contacts_email, name="contacts-email"),
    path("cabinet/password/", views.password, name="password"),
    path("office/", views.office, name="office"),
    path("office/totp/", views.totp, name="totp"),
    path("office/identity/confirm", views.identity_confirm, name="confirm"),
]
